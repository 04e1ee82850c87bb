"""Test fixtures: every storage/core test runs on SQLite and, when ATELIER_TEST_POSTGRES_URL is
set, on PostgreSQL too, each on a freshly migrated, empty schema."""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.session import live
from manage import upgrade_to_head
from storage import db
from storage.models import Base

os.environ.setdefault("ATELIER_COOKIE_KEY", "tests-only-cookie-key-0123456789abcdefghijklmnop")
os.environ.pop("ATELIER_DEMO", None)

PG_URL = os.environ.get("ATELIER_TEST_POSTGRES_URL")
if os.environ.get("ATELIER_REQUIRE_POSTGRES") == "1" and not PG_URL:
    raise RuntimeError("ATELIER_REQUIRE_POSTGRES=1 but ATELIER_TEST_POSTGRES_URL is not set")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "atelier.db"
    url = f"sqlite:///{path}"
    db.configure(url)
    try:
        upgrade_to_head()
    finally:
        db.configure(None)
        db.dispose_all()
    return path


@contextlib.contextmanager
def _own_schema(prefix: str, seed: bool = False) -> Iterator[str]:
    """A schema of its own in the test database, migrated (and seeded with the demo data when
    asked); yields its URL and drops it at the end."""
    if not PG_URL:
        pytest.skip("ATELIER_TEST_POSTGRES_URL is not set")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(PG_URL, schema)
    db.configure(url)
    try:
        upgrade_to_head()
        if seed:
            from core.setup.seed import seed_demo

            seed_demo()
    finally:
        db.configure(None)
    try:
        yield url
    finally:
        db.dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_schema_url():
    """A schema of our own in the test database, migrated once, dropped at the end."""
    with _own_schema("atelier_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path):
    """Point core and storage at an empty, migrated database; yields its URL."""
    if request.param == "sqlite":
        path = tmp_path / "atelier.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with db.get_engine(url).begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.configure(url)
    live.reset()  # revisions restart with the data: nothing drawn from another test's rows
    yield url
    db.configure(None)
    if request.param == "sqlite":
        db.get_engine(url).dispose()


@pytest.fixture
def seeded(database):
    from core.setup.seed import seed_demo

    seed_demo()
    return database


@pytest.fixture
def sqlite_file(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite file for tests that start the app in another process."""
    path = tmp_path / "app.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def demo_postgres_module():
    """Like ``demo_postgres``, shared by the tests of one module (one app server for them all)."""
    with _own_schema("atelier_demo", seed=True) as url:
        yield url


@pytest.fixture(scope="session")
def demo_sqlite_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The migrated template with the demo data, seeded once per run (``core.setup.seed``, as
    ``manage.py seed-demo`` does); tests copy it (``copy_demo``) instead of seeding each time."""
    from core.setup.seed import seed_demo

    path = tmp_path_factory.mktemp("demo_template") / "atelier.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    db.configure(url)
    try:
        seed_demo()
    finally:
        db.configure(None)
        db.get_engine(url).dispose()   # the last connection closed: the WAL is folded into the file
    return path


@pytest.fixture(scope="session")
def copy_demo(tmp_path_factory: pytest.TempPathFactory, demo_sqlite_template: Path):
    """``copy_demo(name)``: the URL of a new SQLite file with the demo data, e.g. for the one server of
    a test module (a module-scoped fixture cannot use the function-scoped ``demo_sqlite``)."""
    def copy(name: str = "demo") -> str:
        path = tmp_path_factory.mktemp(name) / "atelier.db"
        shutil.copy(demo_sqlite_template, path)
        return f"sqlite:///{path}"
    return copy


@pytest.fixture
def demo_sqlite(copy_demo) -> str:
    """A SQLite file with the demo data, of this test alone (for an app started in another process)."""
    return copy_demo()


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the browser tests of a module; each test opens contexts of its own
    (cookies, pages) with ``contexts`` and they are closed after it, so no page of one test keeps
    ticking against the server while the next runs."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def contexts(browser):
    """``contexts(**options)``: a new browser context of this test (closed after it)."""
    opened = []

    def new(**options):
        context = browser.new_context(**options)
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


@pytest.fixture
def demo_postgres():
    """A PostgreSQL schema of its own, migrated and seeded with the demo data, for apps started in
    other processes (browser tests); dropped at the end."""
    with _own_schema("atelier_demo", seed=True) as url:
        yield url
