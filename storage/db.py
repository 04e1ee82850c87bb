"""Engine and session factory.

``ATELIER_DATABASE_URL`` selects the database; the default is an SQLite file under ``data/``.
SQLite runs in WAL mode with a busy timeout and foreign keys on, and writing transactions start
with ``BEGIN IMMEDIATE`` so that concurrent writers queue instead of failing with
"database is locked" (a deferred transaction that reads then writes cannot wait for the lock).
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'atelier.db'}"
SQLITE_BUSY_TIMEOUT_MS = 30_000

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


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            pool_size=10,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # noqa: ANN001
            # Let SQLAlchemy, not the driver, issue BEGIN (see _on_begin).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # noqa: ANN001
            if conn.get_execution_options().get("atelier_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


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
