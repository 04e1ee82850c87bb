"""Packaging: the version (CHANGELOG, app, command line), the licence, the pinned and hashed
requirements, and `manage.py check` with each way it can fail."""
from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

import core
import manage

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
KEY = "a-cookie-key-for-the-check-tests-0123456789"
TEST_ONLY = {"pytest", "hypothesis", "playwright", "pypdf", "icalendar", "ruff", "mypy"}


def _name(requirement: str) -> str:
    """`psycopg[binary]>=3.2` -> `psycopg`, normalised as pip does."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement.strip(), maxsplit=1)[0]).lower()


def _pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of a pip-compile'd requirements file; fails on an unpinned line."""
    text = path.read_text(encoding="utf-8")
    pins: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", text):
        line = block.strip()
        if not line or line.startswith(("#", "-")):
            continue
        spec = line.split(" ", 1)[0].split("\\", 1)[0].strip()
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", spec), f"{path.name}: not pinned exactly: {spec}"
        name, version = spec.split("==")
        pins[_name(name)] = (version, re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return pins


RUNTIME = _pins(ROOT / "requirements.txt")
TESTS = _pins(ROOT / "requirements-test.txt")


def _manage(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    full.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True,
                          env=full, cwd=cwd, timeout=120)


# --- version and licence ---------------------------------------------------------------------

def test_changelog_newest_release_is_the_version_and_unreleased_comes_first():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d\d-\d\d))?", text, flags=re.M)
    assert headings[0][0] == "Unreleased"
    newest, date = headings[1]
    assert newest == core.__version__ and re.fullmatch(r"\d+\.\d+\.\d+", newest) and date


def test_command_line_prints_the_version():
    done = _manage("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"atelier {core.__version__}"


def test_pyproject_names_the_project_its_licence_and_its_version_source():
    project = PYPROJECT["project"]
    assert project["name"] == "atelier" and project["license"] == "EUPL-1.2"
    assert project["requires-python"] == ">=3.11" and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "core.__version__"}


def test_licence_is_the_full_eupl_1_2():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016")
    for number, title in enumerate(("Definitions", "Scope of the rights granted by the Licence",
                                    "Communication of the Source Code", "Limitations on copyright",
                                    "Obligations of the Licensee", "Chain of Authorship", "Disclaimer of Warranty",
                                    "Disclaimer of Liability", "Additional agreements", "Acceptance of the Licence",
                                    "Information to the public", "Termination of the Licence", "Miscellaneous",
                                    "Jurisdiction", "Applicable Law"), start=1):
        assert re.search(rf"^{number}\.\s*{title}$", text, flags=re.M), title
    assert "‘Compatible Licences’ according to Article 5 EUPL are:" in text
    assert len(text) > 13_000


def test_the_app_shows_its_version_in_the_sidebar_in_every_language(database):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    for lang, caption in (("fr", "Atelier {v} · licence EUPL-1.2"), ("en", "Atelier {v} · EUPL-1.2 licence"),
                          ("nl", "Atelier {v} · EUPL-1.2-licentie")):
        if lang != "fr":
            at.selectbox(key="lang_choice").select(lang).run()
        assert not at.exception
        assert caption.format(v=core.__version__) in [c.value for c in at.sidebar.caption]


# --- requirements ----------------------------------------------------------------------------

def test_every_runtime_and_test_package_is_pinned_with_hashes():
    for pins in (RUNTIME, TESTS):
        for name, (_version, hashes) in pins.items():
            assert hashes, f"{name} has no hash"
    assert RUNTIME["extra-streamlit-components"][0] == "0.1.81"   # deploy/nginx.conf hashes its script
    assert RUNTIME["email-validator"][0] == "2.4.0"
    assert TESTS["icalendar"][0] == "7.3.0"


def test_runtime_requirements_hold_no_test_package_and_no_matplotlib():
    assert not TEST_ONLY & RUNTIME.keys()
    assert not {"matplotlib", "contourpy", "kiwisolver", "cycler"} & RUNTIME.keys()
    assert TEST_ONLY <= TESTS.keys()


def test_pyproject_ranges_are_all_locked_and_test_files_agree():
    runtime = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert runtime <= RUNTIME.keys(), runtime - RUNTIME.keys()
    extra = {_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["test"]}
    listed = {_name(line) for line in (ROOT / "requirements-test.in").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith(("#", "-"))}
    assert extra == listed
    assert extra <= TESTS.keys() | RUNTIME.keys()
    shared = RUNTIME.keys() & TESTS.keys()
    assert {n: TESTS[n][0] for n in shared} == {n: RUNTIME[n][0] for n in shared}
    assert "-c requirements.txt" in (ROOT / "requirements-test.in").read_text(encoding="utf-8")


def test_the_installed_packages_are_the_pinned_ones():
    """What the tests ran with is what production installs (make test reinstalls on a change)."""
    wrong = {}
    for name, (version, _hashes) in {**RUNTIME, **TESTS}.items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"pinned vs installed: {wrong} (run `make test-deps`)"


def test_upload_limit_matches_the_import_limit():
    try:
        from core.limits import IMPORT_MAX_BYTES as limit
    except ImportError:   # still next to the import code
        from core.resources.inventory import IMPORT_MAX_BYTES as limit

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == limit   # Streamlit's MB is 2**20 bytes


# --- manage.py check -------------------------------------------------------------------------

def _lines(done: subprocess.CompletedProcess) -> dict[str, str]:
    """`ok    database    ...` lines -> {"database": "ok ..."}."""
    out = {}
    for line in done.stdout.splitlines():
        status, name, detail = re.match(r"(ok|FAIL)\s+(database|schema|cookie key|server)\s+(.*)", line).groups()
        out[name] = f"{status} {detail}"
    return out


def _one_line_error(done: subprocess.CompletedProcess) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return lines[0]


def test_check_passes_on_a_migrated_database_with_a_key(database):
    done = _manage("check", env={"ATELIER_DATABASE_URL": database, "ATELIER_COOKIE_KEY": KEY})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = _lines(done)
    assert list(lines) == ["database", "schema", "cookie key"] and all(v.startswith("ok") for v in lines.values())
    assert "at head" in lines["schema"] and KEY not in done.stdout


def test_check_fails_when_the_database_is_unreachable(tmp_path):
    with __import__("socket").socket() as sock:    # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://atelier:s3cret-pw@127.0.0.1:{port}/atelier"
    done = _manage("check", env={"ATELIER_DATABASE_URL": url, "ATELIER_COOKIE_KEY": KEY})
    error = _one_line_error(done)
    lines = _lines(done)
    assert lines["database"].startswith("FAIL") and "unreachable" in lines["database"]
    assert lines["schema"].startswith("FAIL") and lines["cookie key"].startswith("ok")
    assert "database" in error and "s3cret-pw" not in done.stdout + done.stderr


def test_check_fails_when_the_sqlite_file_is_missing_and_does_not_create_it(tmp_path):
    path = tmp_path / "nowhere" / "atelier.db"
    done = _manage("check", env={"ATELIER_DATABASE_URL": f"sqlite:///{path}", "ATELIER_COOKIE_KEY": KEY})
    assert "init-db" in _one_line_error(done)
    assert not path.exists() and not path.parent.exists()


def test_check_fails_when_the_schema_is_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(manage._alembic_config()).get_base()   # the first migration only
    subprocess.run([sys.executable, "-c", f"import manage; manage._alembic_upgrade({revision!r})"], cwd=ROOT,
                   env={**os.environ, "ATELIER_DATABASE_URL": url}, check=True, timeout=120)
    done = _manage("check", env={"ATELIER_DATABASE_URL": url, "ATELIER_COOKIE_KEY": KEY})
    error = _one_line_error(done)
    lines = _lines(done)
    assert lines["database"].startswith("ok")
    assert lines["schema"].startswith(f"FAIL at {revision}") and "init-db" in lines["schema"] and "schema" in error
    # after init-db, the same database passes
    assert _manage("init-db", env={"ATELIER_DATABASE_URL": url}).returncode == 0
    assert _manage("check", env={"ATELIER_DATABASE_URL": url, "ATELIER_COOKIE_KEY": KEY}).returncode == 0


def test_check_fails_on_an_empty_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    done = _manage("check", env={"ATELIER_DATABASE_URL": f"sqlite:///{path}", "ATELIER_COOKIE_KEY": KEY})
    _one_line_error(done)
    assert _lines(done)["schema"].startswith("FAIL empty database")


@pytest.mark.parametrize("key", [None, "", "too-short-0123456789"])
def test_check_fails_without_a_long_enough_cookie_key(database, key):
    env = {"ATELIER_DATABASE_URL": database} | ({} if key is None else {"ATELIER_COOKIE_KEY": key})
    done = _manage("check", env=env)
    error = _one_line_error(done)
    lines = _lines(done)
    assert lines["database"].startswith("ok") and lines["schema"].startswith("ok")
    assert lines["cookie key"].startswith("FAIL") and "cookie key" in error
    assert ("20 characters, 32 needed" in lines["cookie key"]) if key else ("not set" in lines["cookie key"])
    # demo mode generates a key of its own: not a failure
    assert _manage("check", env={**env, "ATELIER_DEMO": "1"}).returncode == 0


def test_check_reads_the_key_from_secrets_toml_as_the_app_does(database, tmp_path):
    """The key check and ui.auth look in the same places, with the same minimum length: run from a
    copy of the project (links to its folders) whose .streamlit/secrets.toml holds the key."""
    from ui import auth

    assert manage.MIN_COOKIE_KEY_LENGTH == auth.MIN_KEY_LENGTH
    copy = tmp_path / "project"
    copy.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("manage.py", ".streamlit", "data", ".git"):
            (copy / entry.name).symlink_to(entry)
    (copy / "manage.py").write_bytes((ROOT / "manage.py").read_bytes())
    (copy / ".streamlit").mkdir()
    secrets = copy / ".streamlit" / "secrets.toml"

    def check() -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")} | {"ATELIER_DATABASE_URL": database}
        return subprocess.run([sys.executable, str(copy / "manage.py"), "check"], capture_output=True, text=True,
                              env=env, cwd=copy, timeout=120)

    secrets.write_text(f'cookie_key = "{KEY}"\n', encoding="utf-8")
    done = check()
    assert done.returncode == 0 and _lines(done)["cookie key"] == "ok set (.streamlit/secrets.toml)"
    secrets.write_text("cookie_key = \n", encoding="utf-8")   # malformed: counts as missing, as in the app
    done = check()
    assert done.returncode == 1 and _lines(done)["cookie key"].startswith("FAIL")


def test_check_hides_the_database_password(database):
    url = make_url(database)
    if url.get_backend_name() != "postgresql":
        pytest.skip("SQLite URLs carry no password")
    with_password = url.set(password="pw-never-shown").render_as_string(hide_password=False)
    done = _manage("check", env={"ATELIER_DATABASE_URL": with_password, "ATELIER_COOKIE_KEY": KEY})
    assert "pw-never-shown" not in done.stdout + done.stderr and "***" in done.stdout
