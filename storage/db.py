"""Engine and session factory.

``ATELIER_DATABASE_URL`` selects the database; the default is an SQLite file under ``data/``.
SQLite runs in WAL mode with a busy timeout and foreign keys on, and writing transactions start
with ``BEGIN IMMEDIATE`` so that concurrent writers queue instead of failing with
"database is locked" (a deferred transaction that reads then writes cannot wait for the lock).

When the database cannot be reached or written for a moment (PostgreSQL stopped or restarting, a
dropped connection, an SQLite file locked past the busy timeout, read-only or failing on disk),
every engine raises ``core.errors.StorageUnavailable`` (key ``error.storage_unavailable``) instead
of the driver's error, from any query, session or connection: pages show it in the user's
language and keep what was typed. A write is one transaction, so such a fault leaves it whole or
absent. Recovery needs no restart: PostgreSQL connections are checked before use
(``pool_pre_ping``) and a disconnect invalidates the whole pool, so the first request after the
database returns opens fresh connections.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core.errors import StorageUnavailable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'atelier.db'}"
SQLITE_BUSY_TIMEOUT_MS = 30_000      # ATELIER_SQLITE_BUSY_TIMEOUT_MS overrides it (tests use a short one)
CONNECT_TIMEOUT_S = 10               # PostgreSQL; ATELIER_DB_CONNECT_TIMEOUT_S overrides it
# SQLite errors that mean "not now" rather than a bug in a query (those stay as they are)
_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "readonly database", "disk i/o error",
                       "unable to open database file", "database or disk is full", "locking protocol")

# PostgreSQL SQLSTATEs that mean "not now": connection exceptions, insufficient resources (disk
# full, out of memory, too many connections), shutdown / starting up, statement timeout, lock not
# available, serialisation failure, deadlock, read-only transaction (a standby or read-only mode)
_PG_UNAVAILABLE_CLASSES = ("08", "53")
_PG_UNAVAILABLE_STATES = ("57P01", "57P02", "57P03", "57014", "55P03", "40001", "40P01", "25006")

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
_override_url: str | None = None


def database_url() -> str:
    """The URL in force: an explicit ``configure()``, else the environment, else the default."""
    return _override_url or os.environ.get("ATELIER_DATABASE_URL") or DEFAULT_URL


def configure(url: str | None) -> None:
    """Point the process at another database (tests, command line ``--database``)."""
    global _override_url
    _override_url = url


def is_sqlite(url: str | None = None) -> bool:
    return (url or database_url()).startswith("sqlite")


def busy_timeout_ms() -> int:
    return int(os.environ.get("ATELIER_SQLITE_BUSY_TIMEOUT_MS") or SQLITE_BUSY_TIMEOUT_MS)


def unavailable_reason(exc: BaseException, is_disconnect: bool = False) -> str | None:
    """Why ``exc`` (a driver or SQLAlchemy error) means the database is unavailable for a moment,
    or None when it is another error (a constraint, a bug in a query...)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if is_disconnect or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return "disconnected"
    module = type(orig).__module__ or ""
    name = type(orig).__name__
    if module.startswith("sqlite3"):
        text_ = str(orig).lower()
        if name == "OperationalError" and any(part in text_ for part in _SQLITE_UNAVAILABLE):
            return text_[:60]
        return None
    # PostgreSQL (psycopg): by SQLSTATE, since OperationalError also covers real bugs and bad input
    # (54000 program limit exceeded...). A driver error without SQLSTATE is the client losing the
    # connection (InterfaceError, OperationalError raised by psycopg itself).
    families = {base.__name__ for base in type(orig).__mro__}
    if not families & {"OperationalError", "InterfaceError", "InternalError", "DatabaseError"}:
        return None
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is None:
        return name if families & {"OperationalError", "InterfaceError"} else None
    if sqlstate[:2] in _PG_UNAVAILABLE_CLASSES or sqlstate in _PG_UNAVAILABLE_STATES:
        return f"{name} {sqlstate}"
    return None


def _on_error(ctx: ExceptionContext) -> BaseException | None:
    """Engine hook: turn "database unavailable" errors into the core error pages understand. The
    pool's own liveness check (pre-ping) is left alone so it can reconnect."""
    if ctx.is_pre_ping:
        return None
    reason = unavailable_reason(ctx.original_exception, bool(ctx.is_disconnect))
    if reason is None:
        return None
    return StorageUnavailable(detail=reason)


def _make_engine(url: str) -> Engine:
    engine = _make_sqlite_engine(url) if url.startswith("sqlite") else _make_server_engine(url)
    event.listen(engine, "handle_error", _on_error)
    return engine


def _make_server_engine(url: str) -> Engine:
    connect_args: dict = {}
    if url.startswith("postgresql") and "connect_timeout" not in url:
        connect_args["connect_timeout"] = int(os.environ.get("ATELIER_DB_CONNECT_TIMEOUT_S") or CONNECT_TIMEOUT_S)
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, connect_args=connect_args,
                         hide_parameters=True)  # SQL errors and logs never carry values (password hashes, tokens)


def _make_sqlite_engine(url: str) -> Engine:
    timeout_ms = busy_timeout_ms()
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": timeout_ms / 1000, "check_same_thread": False},
        pool_size=10,
        max_overflow=20,
        hide_parameters=True,  # SQL errors and logs never carry values (password hashes, tokens)
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy, not the driver, issue BEGIN (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        if conn.get_execution_options().get("atelier_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _make_engine(url)
        return engine


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def reachable(url: str | None = None) -> bool:
    """Whether the database answers a trivial query now (used to recover by itself after a fault)."""
    try:
        with get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except (StorageUnavailable, DBAPIError):
        return False


@contextlib.contextmanager
def write_session() -> Iterator[Session]:
    """One unit of work that writes: committed on success, rolled back on any error."""
    bind = get_engine().execution_options(atelier_write=True)
    with Session(bind=bind, expire_on_commit=False, autoflush=True) as session:
        with session.begin():
            yield session


@contextlib.contextmanager
def read_session() -> Iterator[Session]:
    """A read-only unit of work (never blocks writers on SQLite WAL)."""
    with Session(bind=get_engine(), expire_on_commit=False) as session:
        yield session  # closing the session rolls the read transaction back


def lock_keys(s: Session, keys: list[str]) -> None:
    """Inside a writing transaction: make concurrent transactions on the same keys run one after
    the other (rate limits count attempts sent at once one by one). SQLite: writing transactions
    already start with BEGIN IMMEDIATE (one writer at a time). PostgreSQL: a transaction-scoped
    advisory lock per key, taken in a fixed order (no deadlock)."""
    if s.get_bind().dialect.name == "postgresql":
        for key in sorted(set(keys)):
            s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
