"""Faults: the database goes away in the middle of a session, on SQLite and PostgreSQL.

- PostgreSQL "stopped": the app talks to PostgreSQL through a TCP proxy of this test (the shared
  server is never stopped); cutting the proxy closes its listening socket and kills every live
  connection, restoring it listens again on the same port.
- SQLite "locked": another connection holds ``BEGIN EXCLUSIVE`` longer than the busy timeout.
- SQLite "read-only": the database file and its WAL are made immutable (``chattr +i``; the tests
  run as root, for whom file modes do not stop writes). A connection already open then gets
  "disk I/O error", a new one "attempt to write a readonly database".
- A process killed (SIGKILL) in the middle of a write, just before its COMMIT.

Each time: the write fails with the core error ``StorageUnavailable`` (key
``error.storage_unavailable``, shown in the user's language), nothing is half-written (multi-row
writes — a persona from a template, a copy of a persona, a need's lead with its partner links, an
undo-restore, a vote — are whole or absent), and once the database is back the very next write
works in the same process (no restart, no engine disposal).

The figures (faults injected by kind and backend, writes attempted and found) are summed up in
``.pytest_cache/faults-tally.json`` at the end of the module.
"""
from __future__ import annotations

import collections
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, text
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from core.actor import SYSTEM, Actor
from core.errors import StorageUnavailable
from core.personas import canvas, templates
from core.session import voting
from core.session.recommendations import create_recommendation
from core.session.session_flow import set_stage
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m
from storage.models import Base

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ATELIER_TEST_POSTGRES_URL")
BUSY_TIMEOUT_MS = "400"   # SQLite: how long a write waits for a lock before giving up, in these tests
TALLY: collections.Counter = collections.Counter()
COUNTED = (m.Persona, m.CanvasItem, m.SolutionLead, m.LeadResource, m.Vote, m.Activity)


# --- a TCP proxy between the app and PostgreSQL --------------------------------------------------

class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``. ``cut()`` behaves like a stopped server (new
    connections refused, open ones dropped); ``restore()`` listens again on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.cuts = 0

    def start(self) -> TcpProxy:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()
        return self

    @property
    def up(self) -> bool:
        return self._listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # closed by cut()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(src, dst)

    def _drop(self, *socks: socket.socket) -> None:
        for sock in socks:
            with self._lock:
                self._conns.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns = list(self._conns)
        if listener is not None:
            self.cuts += 1
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self._drop(*conns)

    def restore(self) -> None:
        if self._listener is None:
            self.start()

    def url(self, url: str) -> str:
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)


def pg_target(url: str) -> tuple[str, int]:
    u = make_url(url)
    return (u.host or "127.0.0.1", u.port or 5432)


# --- faults -------------------------------------------------------------------------------------

class Fault:
    kind = ""
    backend = ""
    reads_fail = True       # do reads fail during the fault?

    def __init__(self, direct_url: str) -> None:
        self.direct_url = direct_url   # the real database, never faulty: to count rows
        self.url = direct_url          # what the app (core/storage) uses

    def cut(self) -> None: ...
    def restore(self) -> None: ...

    @contextlib.contextmanager
    def down(self):
        self.cut()
        TALLY[f"faults/{self.backend}/{self.kind}"] += 1
        try:
            yield
        finally:
            self.restore()


class PostgresStopped(Fault):
    kind, backend = "stopped", "postgres"

    def __init__(self, direct_url: str) -> None:
        super().__init__(direct_url)
        self.proxy = TcpProxy(pg_target(direct_url)).start()
        self.url = self.proxy.url(direct_url)

    def cut(self) -> None:
        self.proxy.cut()

    def restore(self) -> None:
        self.proxy.restore()


class SqliteLocked(Fault):
    kind, backend = "locked", "sqlite"
    reads_fail = False      # WAL: readers are not blocked by a writer

    def __init__(self, direct_url: str) -> None:
        super().__init__(direct_url)
        self._holder = None

    def cut(self) -> None:
        import sqlite3

        self._holder = sqlite3.connect(self.direct_url.split("///", 1)[1], isolation_level=None, timeout=5)
        self._holder.execute("BEGIN EXCLUSIVE")

    def restore(self) -> None:
        if self._holder is not None:
            self._holder.execute("ROLLBACK")
            self._holder.close()
            self._holder = None


class SqliteReadOnly(Fault):
    kind, backend = "read-only", "sqlite"
    reads_fail = False

    def files(self) -> list[str]:
        path = self.direct_url.split("///", 1)[1]
        return [p for p in (path, f"{path}-wal") if os.path.exists(p)]

    def cut(self) -> None:
        subprocess.run(["chattr", "+i", *self.files()], check=True, capture_output=True)

    def restore(self) -> None:
        subprocess.run(["chattr", "-i", *self.files()], check=True, capture_output=True)


def _chattr_works(directory: Path) -> bool:
    probe = directory / "chattr-probe"
    probe.write_text("x")
    try:
        ok = shutil.which("chattr") and subprocess.run(["chattr", "+i", str(probe)],
                                                       capture_output=True).returncode == 0
        if ok:
            try:
                probe.write_text("y")
                ok = False  # immutable but still writable: no use
            except OSError:
                ok = True
            subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
        return bool(ok)
    finally:
        probe.unlink(missing_ok=True)


def truncate_all(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


FAULTS = ["sqlite-locked", "sqlite-read-only"] + (["postgres-stopped"] if PG_URL else [])


@pytest.fixture(params=FAULTS)
def fault(request, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch):
    """An empty migrated database that can be made unavailable; core/storage point at ``fault.url``."""
    monkeypatch.setenv("ATELIER_SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    if request.param.startswith("sqlite"):
        path = tmp_path / "atelier.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        if request.param == "sqlite-read-only":
            if not _chattr_works(tmp_path):
                pytest.skip("chattr +i is not supported here (needs root on ext2/3/4, xfs or btrfs)")
            f: Fault = SqliteReadOnly(url)
        else:
            f = SqliteLocked(url)
    else:
        direct = request.getfixturevalue("postgres_schema_url")
        truncate_all(direct)
        f = PostgresStopped(direct)
    db.configure(f.url)
    try:
        yield f
    finally:
        f.restore()
        db.configure(None)
        for u in {f.url, f.direct_url}:
            db.get_engine(u).dispose()
        if isinstance(f, PostgresStopped):
            f.proxy.cut()


def counts(url: str) -> dict[str, int]:
    """Rows per table, read straight from the real database (not through the fault)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {model.__tablename__: conn.execute(sql_select(func.count()).select_from(model)).scalar_one()
                    for model in COUNTED}
    finally:
        engine.dispose()


# --- a room and the writes under test -------------------------------------------------------------

FACILITATOR = SYSTEM


def make_room() -> dict[str, Any]:
    ev = create_event(SYSTEM, slug="fautes", title="Atelier fautes")
    theme = add_theme(SYSTEM, ev["id"], "Logement")
    first = add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    second = add_session(SYSTEM, theme["id"], "2026-04-02T09:00", "2026-04-02T12:30")
    group = add_subgroup(SYSTEM, first["id"], "Table 1")["id"]
    table = Actor(kind="participant", id=11, label="Table 1", session_id=first["id"], subgroup_id=group)
    persona = templates.create_persona_from_template(table, first["id"], group, "ahmed")
    data = canvas.get_canvas(persona["id"])
    need = data.needs[0]
    resources = sorted({r.id for n in data.needs for ld in n.leads for r in ld.resources})[:2]
    deleted = data.skills[0].id
    canvas.delete_canvas_item(table, deleted)
    set_stage(FACILITATOR, first["id"], "recommendations")
    rec = create_recommendation(table, first["id"], "Un logement d'abord", "regional",
                                sources=[("need", need.id)])
    voting.open_vote(FACILITATOR, first["id"], dots=3, multi=True)
    return {"table": table, "session": first["id"], "second": second["id"], "group": group,
            "persona": persona["id"], "need": need.id, "resources": resources, "deleted": deleted, "rec": rec["id"]}


def writes(room: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """Each write a user can make, and it must land whole: (name -> call)."""
    t = room["table"]
    return {
        "barrier": lambda: canvas.add_barrier(t, room["persona"], "Pas de garant pour le bail"),
        "persona-from-template": lambda: templates.create_persona_from_template(t, room["session"], room["group"],
                                                                                "paulette"),
        "persona-copy": lambda: templates.copy_persona(FACILITATOR, room["persona"], room["second"]),
        "need-lead-with-links": lambda: canvas.add_solution_lead(t, room["need"], "Accompagnement vers une AIS",
                                                                 resource_ids=room["resources"]),
        "undo-restore": lambda: canvas.restore_canvas_item(t, room["deleted"]),
        "vote": lambda: voting.cast_dot(t, room["session"], room["rec"]),
    }


WRITES = ["barrier", "persona-from-template", "persona-copy", "need-lead-with-links", "undo-restore", "vote"]


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in before if after[k] != before[k]}


# --- the database away during a write ------------------------------------------------------------

@pytest.mark.parametrize("write", WRITES)
def test_a_write_while_the_database_is_away_fails_clearly_then_works_when_it_returns(fault: Fault, write: str):
    room = make_room()
    do = writes(room)[write]
    engine = db.get_engine()
    before = counts(fault.direct_url)
    with fault.down():
        TALLY[f"writes-attempted/{fault.backend}"] += 1
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as refused:
            do()
        assert time.monotonic() - started < 15, "a user waits at most the busy/connect timeout"
        assert refused.value.key == "error.storage_unavailable"
        if fault.reads_fail:
            with pytest.raises(StorageUnavailable):
                canvas.get_canvas(room["persona"])
        else:  # a locked or read-only SQLite file still shows the canvas
            assert canvas.get_canvas(room["persona"]).persona.name == "Ahmed"
    assert counts(fault.direct_url) == before, "nothing half-written"
    TALLY[f"writes-refused-and-absent/{fault.backend}"] += 1
    # the database is back: the very next try works, in the same process, on the same engine
    TALLY[f"writes-attempted/{fault.backend}"] += 1
    do()
    assert db.get_engine() is engine
    delta = changed(before, counts(fault.direct_url))
    assert delta.get("activity", 0) >= 1, delta
    TALLY[f"writes-found/{fault.backend}"] += 1
    if write == "vote":
        assert voting.vote_snapshot(room["session"]).mine(room["group"], room["rec"]) == 1
    if write == "undo-restore":
        assert room["deleted"] in {i.id for i in canvas.get_canvas(room["persona"]).skills}


def _strike_mid_write(fault: Fault, where: str) -> Callable[[], None]:
    """Make the fault happen inside the next write transaction: right after its first INSERT, or just
    before its COMMIT is sent. Returns a function that removes the hook."""
    engine = db.get_engine()
    struck = {"done": False}

    def strike() -> None:
        if not struck["done"]:
            struck["done"] = True
            fault.cut()
            TALLY[f"faults/{fault.backend}/{fault.kind}-mid-write"] += 1

    def after_insert(conn, cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT"):
            strike()

    def before_commit(conn):
        strike()

    hooks = [("after_cursor_execute", after_insert)] if where == "after-first-insert" else [("commit", before_commit)]
    for name, fn in hooks:
        event.listen(engine, name, fn)

    def remove() -> None:
        for name, fn in hooks:
            event.remove(engine, name, fn)
    return remove


# a locked SQLite file cannot strike mid-write: a write holds the lock from BEGIN IMMEDIATE to COMMIT
MID_WRITE_FAULTS = [f for f in FAULTS if f != "sqlite-locked"]


@pytest.mark.parametrize("where", ["after-first-insert", "before-commit"])
@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("fault", MID_WRITE_FAULTS, indirect=True)
def test_a_fault_in_the_middle_of_a_multi_row_write_leaves_nothing_half_written(fault: Fault, write: str, where: str):
    room = make_room()
    do = writes(room)[write]
    before = counts(fault.direct_url)
    remove = _strike_mid_write(fault, where)
    TALLY[f"writes-attempted/{fault.backend}"] += 1
    try:
        with pytest.raises(StorageUnavailable):
            do()
    finally:
        remove()
        fault.restore()
    assert counts(fault.direct_url) == before, "all or nothing"
    TALLY[f"writes-refused-and-absent/{fault.backend}"] += 1
    TALLY[f"writes-attempted/{fault.backend}"] += 1
    do()
    assert changed(before, counts(fault.direct_url)).get("activity", 0) >= 1
    TALLY[f"writes-found/{fault.backend}"] += 1


PG_FAULTS = [f for f in FAULTS if f.startswith("postgres")] or [
    pytest.param("postgres-stopped", marks=pytest.mark.skip(reason="ATELIER_TEST_POSTGRES_URL is not set"))]


@pytest.mark.parametrize("fault", PG_FAULTS, indirect=True)
def test_postgres_restarted_while_nobody_wrote_the_first_request_after_works(fault: Fault):
    """Every pooled connection died while the app was idle: the first read and the first write
    after the restart work at once (connections are checked before use), no error shown."""
    room = make_room()                 # the pool now holds open connections
    engine = db.get_engine()
    assert engine.pool.checkedin() >= 1
    with fault.down():
        pass                           # stopped and started again; no request in between
    assert canvas.get_canvas(room["persona"]).persona.name == "Ahmed"
    TALLY[f"writes-attempted/{fault.backend}"] += 1
    canvas.add_barrier(room["table"], room["persona"], "Écrit juste après le redémarrage")
    assert "Écrit juste après le redémarrage" in {b.text for b in canvas.get_canvas(room["persona"]).barriers}
    TALLY[f"writes-found/{fault.backend}"] += 1


def test_sqlite_busy_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ATELIER_SQLITE_BUSY_TIMEOUT_MS", "1234")
    assert db.busy_timeout_ms() == 1234
    monkeypatch.delenv("ATELIER_SQLITE_BUSY_TIMEOUT_MS")
    assert db.busy_timeout_ms() == db.SQLITE_BUSY_TIMEOUT_MS == 30_000


def test_a_bug_in_a_query_is_not_reported_as_an_unavailable_database(database):
    """Only "not now" errors become StorageUnavailable; a wrong query stays an error of its own."""
    with pytest.raises(Exception) as raised:
        with db.read_session() as s:
            s.execute(text("SELECT no_such_column FROM persona"))
    assert not isinstance(raised.value, StorageUnavailable)


def test_a_bug_in_a_write_is_not_reported_as_an_unavailable_database(database):
    """The write path too: an OperationalError that is not "not now" stays a bug (a traceback in the
    log, "unexpected error" on the page), never "the database is away, what you typed is kept"."""
    from core import entities

    with pytest.raises(Exception) as raised:
        entities.run_write(lambda s: s.execute(text("UPDATE personas SET no_such_column = 1")))
    assert not isinstance(raised.value, StorageUnavailable)


def _pg_error(family: str, sqlstate: str | None) -> Exception:
    cls = type(family, (Exception,), {})
    err = cls("boom")
    err.sqlstate = sqlstate
    return err


@pytest.mark.parametrize(("family", "sqlstate", "away"), [
    ("OperationalError", "08006", True),    # connection failure
    ("OperationalError", "57P01", True),    # admin shutdown (server stopped)
    ("OperationalError", "57P03", True),    # cannot connect now (starting up)
    ("OperationalError", "53100", True),    # disk full
    ("OperationalError", "55P03", True),    # lock not available
    ("OperationalError", "57014", True),    # statement timeout
    ("InternalError", "25006", True),       # read-only transaction
    ("OperationalError", None, True),       # the client lost the connection (no SQLSTATE)
    ("InterfaceError", None, True),
    ("OperationalError", "54000", False),   # program limit exceeded: a bug or bad input
    ("OperationalError", "54001", False),   # statement too complex
    ("ProgrammingError", "42703", False),   # undefined column
    ("DataError", "22001", False),          # value too long
    ("IntegrityError", "23505", False),     # unique violation
])
def test_postgresql_errors_mean_away_only_for_the_not_now_sqlstates(family, sqlstate, away):
    assert (db.unavailable_reason(_pg_error(family, sqlstate)) is not None) is away


# --- a process killed in the middle of a write ------------------------------------------------------

KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, sys.argv[1])
    from sqlalchemy import event
    from core.personas import templates
    from core.actor import Actor
    from storage import db

    db.configure(sys.argv[2])
    session_id, group_id, hold = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "hold"

    @event.listens_for(db.get_engine(), "commit")
    def _before_commit(conn):
        print("READY", flush=True)    # every row of the persona is sent, the COMMIT is not
        if hold:
            time.sleep(120)

    actor = Actor(kind="participant", id=11, label="Table 1", session_id=session_id, subgroup_id=group_id)
    templates.create_persona_from_template(actor, session_id, group_id, "sofia")
    print("DONE", flush=True)
""")


def _run_writer(url: str, room: dict[str, Any], hold: bool) -> str:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(ROOT), url, str(room["session"]),
                             str(room["group"]), "hold" if hold else "go"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                line = proc.stdout.readline().strip()
                if not line:
                    break
                lines.append(line)
                if line == "READY" and hold:
                    os.kill(proc.pid, signal.SIGKILL)
                    backend = "sqlite" if url.startswith("sqlite") else "postgres"
                    TALLY[f"faults/{backend}/process-killed-mid-write"] += 1
                    break
                if line == "DONE":
                    break
        proc.wait(timeout=30)
        if proc.returncode not in (0, -signal.SIGKILL):
            raise AssertionError(proc.stderr.read())
        return lines[-1] if lines else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_process_killed_in_the_middle_of_a_write_leaves_all_or_nothing(database):
    backend = "sqlite" if database.startswith("sqlite") else "postgres"
    room = make_room()
    before = counts(database)
    # killed after every row was sent, before COMMIT: nothing of the persona remains
    TALLY[f"writes-attempted/{backend}"] += 1
    assert _run_writer(database, room, hold=True) == "READY"
    assert counts(database) == before
    TALLY[f"writes-refused-and-absent/{backend}"] += 1
    assert "Sofia" not in {p.name for p in canvas.list_personas(room["session"])}
    # the same write, not killed, lands whole; and the database takes writes again at once
    TALLY[f"writes-attempted/{backend}"] += 1
    assert _run_writer(database, room, hold=False) == "DONE"
    TALLY[f"writes-found/{backend}"] += 1
    sofia = next(p for p in canvas.list_personas(room["session"]) if p.name == "Sofia")
    template = templates.get_template("sofia").data
    data = canvas.get_canvas(sofia.id)
    assert len(data.barriers) == len(template.get("barriers", ()))
    assert len(data.needs) == len(template.get("needs", ()))
    assert sum(len(n.leads) for n in data.needs) == sum(len(n.get("leads", ())) for n in template.get("needs", ()))
    canvas.add_barrier(room["table"], sofia.id, "Écrit après le crash")
    items = m.CanvasItem.__tablename__
    assert counts(database)[items] == before[items] + len(
        [i for k in ("barriers", "motivations", "skills", "needs") for i in template.get(k, ())]) + 1


def write_tally(section: str, tally: dict) -> None:
    """Add this module's counts (faults injected, writes attempted...) to the tally file the
    closing note quotes."""
    if tally:
        out = ROOT / ".pytest_cache" / "faults-tally.json"
        out.parent.mkdir(exist_ok=True)
        previous = json.loads(out.read_text()) if out.exists() else {}
        previous[section] = dict(sorted(tally.items()))
        out.write_text(json.dumps(previous, indent=2, ensure_ascii=False))


@pytest.fixture(scope="module", autouse=True)
def _tally():
    yield
    write_tally("core", TALLY)
