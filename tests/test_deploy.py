"""The deployments: compose.yaml, the Dockerfile, deploy/Caddyfile, the systemd units and the
scheduled jobs.

The machine that builds Atelier has the Docker client but no Docker engine, so no image is built
here. Instead: compose.yaml, the Caddyfile and the units are parsed and checked against the code
(every variable listed and read, every scheduled command a real manage.py command, the proxy's
upstreams the app services, its headers those of nginx.conf); and the image's steps run in a
fresh virtualenv from the files the image would get (.dockerignore applied): `pip install
--require-hashes -r requirements.txt`, `manage.py --version`, `init-db`, `check`, a PDF booklet
with the system font, the CMD (`streamlit run serve.py`) and the HEALTHCHECK against it, with the
database there, gone, and back.
"""
from __future__ import annotations

import argparse
import configparser
import contextlib
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import manage
from deploy import jobs
from tests.browser import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APPS = ("app1", "app2")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
KEY = "a-cookie-key-for-the-deploy-tests-0123456789"
CODE = [ROOT / "app.py", ROOT / "manage.py", ROOT / "serve.py",
        *[p for folder in ("core", "storage", "ui", "app_pages", "deploy", "migrations")
          for p in (ROOT / folder).rglob("*.py")]]


def _parses(argv: list[str]) -> argparse.Namespace:
    """The manage.py command line ``argv`` (after ``manage.py``) as manage.py's parser reads it."""
    return manage.build_parser().parse_args(argv)


def _variables_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in CODE:
        source = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"""(?:environ\.get|getenv|environ\.setdefault)\(\s*["'](ATELIER_\w+)["']""", source))
        found |= set(re.findall(r"""environ\[\s*["'](ATELIER_\w+)["']\s*\]""", source))
    return found


def _variables_in_env_example() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.M))


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [(m.group(1).upper(), m.group(2).strip())
            for m in re.finditer(r"^([A-Za-z]+)\s+(.*)$", joined, flags=re.M)]


def _exec_form(instruction: str) -> list[str]:
    """The JSON argv of CMD / HEALTHCHECK ... CMD."""
    args = dict(_dockerfile_instructions())[instruction]
    return json.loads(args[args.index("["):])


# --- compose.yaml ----------------------------------------------------------------------------

def test_compose_has_the_database_the_apps_the_migration_the_jobs_and_the_proxy():
    assert set(SERVICES) == {"db", "migrate", *APPS, "jobs", "proxy"}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["db"]["volumes"]
    assert SERVICES["proxy"]["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(SERVICES["proxy"]["ports"])
    # only the proxy is published: the apps and the database stay on the private network
    assert [name for name, svc in SERVICES.items() if svc.get("ports")] == ["proxy"]
    for name in ("migrate", *APPS, "jobs"):
        assert SERVICES[name]["build"] == "." and SERVICES[name]["image"] == "atelier:local"


def test_named_volumes_are_declared_and_mounted_files_exist():
    declared = set(COMPOSE["volumes"])
    for svc in SERVICES.values():
        for mount in svc.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith("."):
                assert (ROOT / source).is_file(), source
            else:
                assert source in declared, source
    assert {"pgdata", "backups", "caddy_data", "caddy_config"} <= declared


def test_every_service_has_a_health_check_and_the_apps_use_manage_check():
    for name, svc in SERVICES.items():
        if name == "migrate":   # runs once and exits
            assert svc["healthcheck"] == {"disable": True} and svc["restart"] == "no"
            assert _parses(svc["command"][2:]).command == "init-db"
            continue
        assert svc["healthcheck"]["test"][0] == "CMD", name
    for name in (*APPS, "jobs"):
        test = SERVICES[name]["healthcheck"]["test"]
        assert test[1:3] == ["python", "manage.py"] and _parses(test[3:]).command == "check"
    for name in APPS:
        args = _parses(SERVICES[name]["healthcheck"]["test"][3:])
        assert args.server == "http://127.0.0.1:8501"


def test_services_start_in_order():
    assert SERVICES["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in (*APPS, "jobs"):
        assert SERVICES[name]["depends_on"] == {"db": {"condition": "service_healthy"},
                                                "migrate": {"condition": "service_completed_successfully"}}
    assert SERVICES["proxy"]["depends_on"] == {name: {"condition": "service_healthy"} for name in APPS}


def test_the_jobs_service_runs_the_scheduled_manage_commands():
    assert SERVICES["jobs"]["command"] == ["python", "deploy/jobs.py", "loop"]
    assert "backups:/app/data/backups" in SERVICES["jobs"]["volumes"]
    assert SERVICES["jobs"]["environment"]["ATELIER_BACKUP_DIR"] == "/app/data/backups"
    schedule = {job.name: (job.every_s, job.nightly) for job in jobs.JOBS}
    assert schedule == {"send-outbox": (600, False), "purge-personal-data": (None, True), "backup": (None, True)}
    for job in jobs.JOBS:
        args = [("backup.json" if a == "{out}" else a) for a in job.command]
        assert _parses(args).command == job.name
    # purge before the backup, so a backup never brings back what the purge erased
    names = [job.name for job in jobs.JOBS]
    assert names.index("purge-personal-data") < names.index("backup")


def test_every_variable_the_code_reads_is_in_env_example():
    read = _variables_read_by_the_code()
    assert {"ATELIER_DATABASE_URL", "ATELIER_COOKIE_KEY", "ATELIER_SMTP_HOST", "ATELIER_BACKUP_DIR"} <= read
    missing = read - _variables_in_env_example()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_every_variable_compose_and_env_example_name_is_used():
    compose_text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{(\w+)", compose_text))
    caddy = set(re.findall(r"\{\$(\w+)\}", CADDYFILE))
    listed = _variables_in_env_example()
    assert interpolated <= listed and caddy <= listed
    # each one is read by the code, or by compose / Caddy, or by the server (uvicorn)
    set_in_compose = {k for svc in SERVICES.values() for k in (svc.get("environment") or {})}
    unused = {v for v in listed | set_in_compose if v.startswith("ATELIER_")} \
        - _variables_read_by_the_code() - interpolated - caddy
    assert not unused, f"named but read by nothing: {sorted(unused)}"
    assert set(re.findall(r"\{\$(\w+)\}", CADDYFILE)) <= set(SERVICES["proxy"]["environment"])


def test_env_example_sets_nothing_secret():
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", ENV_EXAMPLE, flags=re.M))
    assert values["ATELIER_COOKIE_KEY"] == ""           # each deployment makes its own
    assert "change-me" in values["POSTGRES_PASSWORD"]


# --- Caddy -----------------------------------------------------------------------------------

def test_caddy_proxies_to_the_app_services_with_health_checks_and_sticky_sessions():
    block = re.search(r"reverse_proxy ([^{]+)\{(.*?)\n\t\}", CADDYFILE, flags=re.S)
    assert block.group(1).split() == [f"{name}:8501" for name in APPS]
    body = block.group(2)
    assert re.search(r"^\s*lb_policy ip_hash$", body, flags=re.M)
    assert re.search(r"^\s*health_uri /_stcore/health$", body, flags=re.M)
    assert re.search(r"^\s*max_size 11MiB$", CADDYFILE, flags=re.M)   # 10 MiB uploads, with the envelope


def _headers(pattern: str, text: str) -> dict[str, str]:
    return {name: value for name, value in re.findall(pattern, text, flags=re.M)}


def test_caddy_sends_the_same_security_headers_as_nginx():
    nginx = _headers(r'^\s*add_header ([\w-]+) "([^"]*)" always;', NGINX)
    caddy = _headers(r'^\t\t([A-Z][\w-]+) "([^"]*)"$', CADDYFILE)
    assert len(nginx) == 6
    assert caddy == {name: value.replace("$host", "{host}") for name, value in nginx.items()}
    assert re.search(r"^\t\t-Server$", CADDYFILE, flags=re.M)


def test_caddyfile_is_valid_for_caddy():
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is required in CI (.ci/run installs Debian's package)")
        pytest.skip("caddy is not installed (Debian: apt-get install caddy)")
    env = {**os.environ, "ATELIER_DOMAIN": "atelier.example.org", "ATELIER_ACME_EMAIL": "admin@example.org",
           "HOME": str(ROOT / ".no-home"), "XDG_DATA_HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"}
    done = subprocess.run([caddy, "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile",
                           "--validate"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "not formatted" not in done.stderr            # `caddy fmt --overwrite deploy/Caddyfile`
    config = json.loads(done.stdout)
    server = config["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]
    assert server["routes"][0]["match"] == [{"host": ["atelier.example.org"]}]
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["email"] == "admin@example.org"


# --- Dockerfile ------------------------------------------------------------------------------

def test_dockerfile_builds_a_slim_non_root_image_from_the_hashed_requirements():
    steps = _dockerfile_instructions()
    kinds = [kind for kind, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim-bookworm")
    runs = " ".join(args for kind, args in steps if kind == "RUN")
    assert "apt-get install -y --no-install-recommends fonts-dejavu-core" in runs
    assert re.search(r"pip install --require-hashes -r /tmp/requirements\.txt", runs)
    assert "requirements-test" not in DOCKERFILE                # no test package in the image
    user = dict(steps)["USER"]
    assert user == "atelier" and kinds.index("USER") < kinds.index("CMD")
    assert _exec_form("CMD")[:3] == ["streamlit", "run", "serve.py"]
    health = _exec_form("HEALTHCHECK")
    assert health[:2] == ["python", "manage.py"] and _parses(health[2:]).command == "check"


def _ignored(patterns: list[str], relative: str) -> bool:
    """Whether Docker leaves ``relative`` out of the build context (its .dockerignore rules:
    a pattern matches the path or one of its parent folders; ``**`` any number of folders)."""
    result = False
    parts = relative.split("/")
    for raw in patterns:
        negate, pattern = raw.startswith("!"), raw.lstrip("!")
        rx = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*") \
            .replace(r"\?", "[^/]")
        if any(re.fullmatch(rx, "/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            result = not negate
    return result


def _dockerignore() -> list[str]:
    return [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def _build_context(into: Path) -> None:
    """Copy what `COPY . /app` would copy: the working tree less .dockerignore."""
    patterns = _dockerignore()
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if _ignored(patterns, relative) or path.is_dir() or ".venv" in path.parts:
            continue
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def test_dockerignore_keeps_secrets_out_and_what_the_image_needs_in():
    patterns = _dockerignore()
    for out in (".git/config", ".venv/bin/python", ".env", ".streamlit/secrets.toml", "data/atelier.db",
                "core/__pycache__/x.pyc", "tests/test_deploy.py", "x.db-wal"):
        assert _ignored(patterns, out), out
    for kept in ("app.py", "serve.py", "manage.py", "alembic.ini", "LICENSE", "requirements.txt",
                 ".streamlit/config.toml", "core/__init__.py", "storage/db.py", "ui/auth.py", "app_pages/home.py",
                 "migrations/env.py", "locales/fr/core.json", "deploy/jobs.py", "ui/assets/icon.png"):
        assert not _ignored(patterns, kept), kept


# --- systemd ---------------------------------------------------------------------------------

def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((ROOT / "deploy" / name).read_text(encoding="utf-8"))
    return parser


def test_systemd_units_run_serve_py_and_the_jobs():
    app = _unit("atelier@.service")
    assert shlex.split(app["Service"]["ExecStart"])[1:3] == ["run", "serve.py"]
    job = _unit("atelier-job@.service")
    assert shlex.split(job["Service"]["ExecStart"])[1:] == ["deploy/jobs.py", "run", "%i"]
    assert job["Service"]["Type"] == "oneshot" and job["Service"]["UMask"] == "0077"
    timers = {p.name: _unit(p.name) for p in (ROOT / "deploy").glob("*.timer")}
    started = {}
    for timer in timers.values():
        unit = timer["Timer"]["Unit"]
        assert re.fullmatch(r"atelier-job@([\w-]+)\.service", unit), unit
        started[unit.split("@")[1].removesuffix(".service")] = timer["Timer"]["OnCalendar"]
        assert timer["Install"]["WantedBy"] == "timers.target"
    assert started == {"send-outbox": "*:0/10", "purge-personal-data": "*-*-* 03:00:00",
                       "backup": "*-*-* 03:30:00"}
    assert set(started) == {j.name for j in jobs.JOBS}


def test_systemd_units_are_valid_for_systemd(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for path in (ROOT / "deploy").iterdir():
        if path.suffix in (".service", ".timer"):
            shutil.copy(path, tmp_path / path.name)
    units = ["atelier@8501.service", "atelier-job@backup.service",
             *[p.name for p in (ROOT / "deploy").glob("*.timer")]]
    done = subprocess.run([analyze, "verify", "--man=no", *[f"./{u}" for u in units]], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    # the programs live under /opt/atelier on a server, not here: that one complaint is expected
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if line.strip() and "is not executable: No such file or directory" not in line]
    assert not problems, problems


# --- the scheduled jobs ----------------------------------------------------------------------

def test_jobs_fall_due_on_schedule(monkeypatch):
    monkeypatch.setenv("ATELIER_NIGHTLY_AT", "03:00")
    outbox, purge = jobs.JOBS[0], jobs.JOBS[1]
    night = dt.datetime(2026, 12, 4, 3, 0)
    assert jobs.is_due(outbox, None, night)
    assert not jobs.is_due(outbox, night, night + dt.timedelta(minutes=9, seconds=59))
    assert jobs.is_due(outbox, night, night + dt.timedelta(minutes=10))
    started_evening = dt.datetime(2026, 12, 3, 20, 0)        # the loop counts its start as a run
    assert not jobs.is_due(purge, started_evening, dt.datetime(2026, 12, 4, 2, 59))
    assert jobs.is_due(purge, started_evening, night)
    assert not jobs.is_due(purge, night + dt.timedelta(seconds=5), dt.datetime(2026, 12, 4, 23, 0))
    assert jobs.is_due(purge, night + dt.timedelta(seconds=5), night + dt.timedelta(days=1))


def test_jobs_run_all_purges_backs_up_owner_only_and_keeps_the_newest(tmp_path, sqlite_file):
    backups = tmp_path / "backups"
    backups.mkdir()
    for stamp in ("20260101-030000", "20260102-030000", "20260103-030000"):
        (backups / f"atelier-{stamp}.json").write_text("{}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env |= {"ATELIER_DATABASE_URL": sqlite_file, "ATELIER_BACKUP_DIR": str(backups), "ATELIER_BACKUP_KEEP": "2"}
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "jobs.py"), "run", "all"], capture_output=True,
                          text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    log = done.stdout.splitlines()
    assert len(log) == 3
    assert "send-outbox: skipped, no SMTP settings" in log[0]
    assert "purge-personal-data: ok" in log[1]
    assert "backup: ok: backup written to" in log[2] and "2 older backup(s) removed" in log[2]
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 2 and kept[0] == "atelier-20260103-030000.json"
    newest = backups / kept[1]
    assert newest.stat().st_mode & 0o777 == 0o600
    assert "schema_revision" in json.loads(newest.read_text(encoding="utf-8"))


def test_a_failing_job_says_so_and_exits_non_zero(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env |= {"ATELIER_DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none",   # nothing there
            "ATELIER_BACKUP_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "deploy" / "jobs.py"), "run", "purge-personal-data"],
                          capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode != 0 and "purge-personal-data: FAILED" in done.stdout
    assert "Traceback" not in done.stdout


# --- the image's commands in a fresh virtualenv ----------------------------------------------

@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Iterator[tuple[Path, dict[str, str]]]:
    """What the image holds, here: the build context in /app's place and a fresh venv in
    /opt/venv's, filled by the Dockerfile's own pip command; yields (app folder, environment)."""
    base = tmp_path_factory.mktemp("image")
    app, venv = base / "app", base / "venv"
    _build_context(app)
    (app / "data").mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip_line = next(args for kind, args in _dockerfile_instructions() if kind == "RUN" and "--require-hashes" in args)
    pip_args = shlex.split(pip_line.split("/opt/venv/bin/pip", 1)[1].split("&&", 1)[0])
    pip_args = [str(app / "requirements.txt") if a == "/tmp/requirements.txt" else a for a in pip_args]
    done = subprocess.run([str(venv / "bin" / "pip"), *pip_args, "--quiet"], capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ATELIER_", "VIRTUAL_ENV", "PYTHON", "STREAMLIT_"))}
    env |= {"PATH": f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}", "HOME": str(base),
            "ATELIER_DATABASE_URL": f"sqlite:///{app / 'data' / 'atelier.db'}", "ATELIER_COOKIE_KEY": KEY}
    try:
        yield app, env
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _in_image(image: tuple[Path, dict[str, str]], argv: list[str], **env: str) -> subprocess.CompletedProcess:
    app, base_env = image
    return subprocess.run(argv, cwd=app, env={**base_env, **env}, capture_output=True, text=True, timeout=300)


def test_image_has_the_runtime_packages_only(image):
    done = _in_image(image, ["python", "-c", "import importlib.util as u; print([m for m in "
                                             "('streamlit', 'psycopg', 'email_validator', 'pytest', 'hypothesis', "
                                             "'playwright', 'matplotlib') if u.find_spec(m)])"])
    assert done.stdout.strip() == "['streamlit', 'psycopg', 'email_validator']", done.stderr
    assert _in_image(image, ["python", "-m", "pip", "check"]).returncode == 0


def test_image_commands_version_init_db_check_and_booklet(image):
    version = _in_image(image, ["python", "manage.py", "--version"])
    assert version.stdout.strip() == f"atelier {__import__('core').__version__}"
    fresh = f"sqlite:///{image[0] / 'data' / 'never-initialised.db'}"
    before = _in_image(image, ["python", "manage.py", "check"], ATELIER_DATABASE_URL=fresh)
    assert before.returncode == 1 and "init-db" in before.stderr
    assert _in_image(image, ["python", "manage.py", "init-db"]).returncode == 0
    after = _in_image(image, ["python", "manage.py", "check"])
    assert after.returncode == 0, after.stdout + after.stderr
    assert [line.split()[0] for line in after.stdout.splitlines()] == ["ok", "ok", "ok"]
    assert _in_image(image, ["python", "manage.py", "check"], ATELIER_COOKIE_KEY="").returncode == 1
    # PDF booklets with the system's DejaVu (fonts-dejavu-core), no font package installed
    assert _in_image(image, ["python", "manage.py", "seed-demo"]).returncode == 0
    out = image[0] / "data" / "booklet.pdf"
    pdf = _in_image(image, ["python", "manage.py", "export-booklet", "--event", "partners-day-2024", "--format", "pdf",
                            "--out", str(out)])
    assert pdf.returncode == 0, pdf.stderr
    assert out.read_bytes().startswith(b"%PDF") and b"DejaVu" in out.read_bytes()


def _health(base: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError as exc:
        return 0, str(exc)


def _until(condition, what: str, timeout: float = 60):
    """Poll ``condition()`` until it returns something true; fail with ``what`` past ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


@contextlib.contextmanager
def _served(image: tuple[Path, dict[str, str]], port: int) -> Iterator[str]:
    """The Dockerfile's CMD, on a free loopback port instead of 0.0.0.0:8501."""
    argv = _exec_form("CMD")
    argv[argv.index("--server.address") + 1] = "127.0.0.1"
    argv[argv.index("--server.port") + 1] = str(port)
    app, env = image
    proc = subprocess.Popen(argv, cwd=app, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_image_cmd_and_healthcheck_follow_the_database(image):
    app, _env = image
    assert _in_image(image, ["python", "manage.py", "init-db"]).returncode == 0
    port = free_port()
    healthcheck = _exec_form("HEALTHCHECK")
    healthcheck[healthcheck.index("--server") + 1] = f"http://127.0.0.1:{port}"
    with _served(image, port) as base:
        _until(lambda: _health(base)[0] == 200, "the server to answer its health check")
        assert _health(base) == (200, "ok")
        ok = _in_image(image, healthcheck)
        assert ok.returncode == 0 and ok.stdout.splitlines()[-1].startswith("ok    server"), ok.stdout + ok.stderr
        # the database goes away: the endpoint and the HEALTHCHECK say so (Streamlit's own said "ok")
        database = app / "data" / "atelier.db"
        database.rename(database.with_suffix(".away"))
        assert _until(lambda: _health(base)[0] == 503 and _health(base), "503 with the database away") \
            == (503, "unavailable: database")
        down = _in_image(image, healthcheck)
        assert down.returncode == 1 and "database" in down.stderr.splitlines()[0]
        # ...and back: healthy again without a restart
        database.with_suffix(".away").rename(database)
        _until(lambda: _health(base)[0] == 200, "the health check to recover")
        assert _in_image(image, healthcheck).returncode == 0
