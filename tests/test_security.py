"""Security: staff login throttling and join-code rate limits kept in the database, secrets kept
out of errors and command output, and the reverse-proxy configuration in deploy/ kept complete."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from core.access import accounts, join
from core.actor import SYSTEM
from core.errors import NotFound, ValidationError
from core.setup.events import add_session, add_subgroup, add_theme, create_event
from storage import db
from storage import models as m

ROOT = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2026, 3, 2, 9, 0, 0)


class Clock:
    """A settable clock for the rate limits (no sleeping in tests)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(T0)
    monkeypatch.setattr(accounts, "_now", c)
    monkeypatch.setattr(join, "_now", c)
    return c


@pytest.fixture
def staff(database):
    accounts.create_user("anim", "facilitator", "Anim Test", "", "motdepasse-anim")
    accounts.create_user("chef", "admin", "Chef Test", "", "motdepasse-chef")
    return database


def _fail(username: str, address: str | None = None, times: int = 1) -> None:
    for _ in range(times):
        accounts.start_login_attempt(username, address)  # never followed by record_login: a failure


# --- staff login throttling (core, both backends) ------------------------------------------------

def test_five_failures_lock_the_username_for_the_rest_of_the_window(staff, clock):
    for minute in range(5):
        clock.now = T0 + dt.timedelta(minutes=minute)
        accounts.start_login_attempt("anim", "198.51.100.7")
    with pytest.raises(accounts.LoginThrottled) as refused:
        accounts.start_login_attempt("anim", "198.51.100.7")
    # the first failure (at T0) leaves the window at T0+15 min; it is now T0+4 min
    assert refused.value.params == {"minutes": 11}
    assert accounts.login_failures("anim") == 5  # the refused attempt was not counted
    # another username from the same address is not locked
    accounts.start_login_attempt("chef", "198.51.100.7")
    # and from elsewhere the real person still gets in: a guesser cannot lock a colleague out
    accounts.start_login_attempt("anim", "203.0.113.9")
    # from the guessing address, once the first failure has aged out
    clock.now = T0 + dt.timedelta(minutes=15)
    accounts.start_login_attempt("anim", "198.51.100.7")


def test_guesses_spread_over_many_addresses_lock_the_username_everywhere(staff, clock):
    per_address = accounts.LOGIN_MAX_FAILURES_PER_USERNAME_AND_ADDRESS
    for i in range(accounts.LOGIN_MAX_FAILURES_PER_USERNAME // per_address):
        _fail("anim", f"198.51.100.{i + 1}", times=per_address)
    with pytest.raises(accounts.LoginThrottled):
        accounts.start_login_attempt("anim", "203.0.113.9")  # a fresh address too
    accounts.start_login_attempt("chef", "203.0.113.9")      # other usernames are not


def test_unknown_usernames_are_locked_exactly_like_known_ones(staff, clock):
    _fail("anim", times=5)
    _fail("personne", times=5)
    with pytest.raises(accounts.LoginThrottled) as known:
        accounts.start_login_attempt("anim")
    with pytest.raises(accounts.LoginThrottled) as unknown:
        accounts.start_login_attempt("personne")
    assert (known.value.key, known.value.params) == (unknown.value.key, unknown.value.params)


def test_the_username_is_matched_as_the_login_form_matches_it(staff, clock):
    _fail(" Anim ", times=3)
    _fail("ANIM", times=2)
    with pytest.raises(accounts.LoginThrottled):
        accounts.start_login_attempt("anim")


def test_a_success_resets_the_username_but_not_the_address(staff, clock):
    _fail("anim", "198.51.100.7", times=4)
    attempt = accounts.start_login_attempt("anim", "198.51.100.7")
    accounts.record_login("anim", attempt)  # the password was right
    assert accounts.login_failures("anim") == 0
    _fail("anim", "198.51.100.7", times=5)  # five new tries are allowed again
    with pytest.raises(accounts.LoginThrottled):
        accounts.start_login_attempt("anim", "198.51.100.7")
    with db.read_session() as s:
        by_address = s.execute(select(m.LoginFailure).where(m.LoginFailure.client_key == "a:198.51.100.7")).all()
    assert len(by_address) == 9  # 4 + 5 failures; the successful attempt does not count


def test_an_administrator_can_unlock_a_username_locked_by_someone_elses_guesses(staff, clock):
    _fail("anim", "198.51.100.7", times=5)
    _fail("chef", times=2)
    with pytest.raises(accounts.LoginThrottled):
        accounts.start_login_attempt("anim", "198.51.100.7")
    assert accounts.unlock_login(" ANIM ") == 5            # matched as the login form matches it
    accounts.start_login_attempt("anim", "198.51.100.7")  # free again
    assert accounts.login_failures("chef") == 2   # other usernames untouched


def test_unlock_user_on_the_command_line(sqlite_file):
    env = {"ATELIER_DATABASE_URL": sqlite_file}
    db.configure(sqlite_file)
    try:
        _fail("anim", times=5)
    finally:
        db.configure(None)
    done = _manage(["unlock-user", "--username", "anim"], env)
    assert done.returncode == 0 and "unlocked anim (5 recent failures forgotten)" in done.stdout
    db.configure(sqlite_file)
    try:
        assert accounts.login_failures("anim") == 0
    finally:
        db.configure(None)
        db.dispose_all()


@pytest.mark.parametrize("password", [" motdepasse-long", "motdepasse-long ", "motdepasse-long\n"])
def test_a_password_the_login_form_could_never_match_is_refused(database, password):
    # the login form strips what is typed: such an account could never log in
    with pytest.raises(ValidationError) as refused:
        accounts.create_user("zoe", "admin", "Zoé", "", password)
    assert refused.value.key == "error.password_spaces"
    assert accounts.get_user("zoe") is None


def test_one_address_trying_many_usernames_is_stopped(staff, clock):
    for i in range(accounts.LOGIN_MAX_FAILURES_PER_ADDRESS):
        accounts.start_login_attempt(f"nom{i}", "198.51.100.7")
    with pytest.raises(accounts.LoginThrottled):
        accounts.start_login_attempt("anim", "198.51.100.7")  # even a fresh, real username
    accounts.start_login_attempt("anim", "203.0.113.9")       # another address is not blocked
    accounts.start_login_attempt("anim")                      # nor a login without a known address


def test_the_typed_username_is_never_stored(staff, clock):
    _fail("Mon-Mot-De-Passe-42!", "198.51.100.7")
    with db.read_session() as s:
        keys = s.execute(select(m.LoginFailure.client_key)).scalars().all()
    assert len(keys) == 3 and not any("mot-de-passe" in k.lower() for k in keys)


def test_old_failures_are_purged(staff, clock):
    _fail("anim", "198.51.100.7", times=3)
    clock.advance(days=1, minutes=1)
    _fail("chef")
    with db.read_session() as s:
        rows = s.execute(select(m.LoginFailure.at)).scalars().all()
    assert rows == [clock.now, clock.now]  # chef's two keys (username, username from no address)


def test_attempts_sent_at_once_cannot_all_slip_under_the_limit(staff, clock):
    admitted, refused = [], []
    barrier = threading.Barrier(12)

    def attempt() -> None:
        barrier.wait()
        try:
            accounts.start_login_attempt("anim", "198.51.100.7")
            admitted.append(1)
        except accounts.LoginThrottled:
            refused.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert (len(admitted), len(refused)) == (accounts.LOGIN_MAX_FAILURES_PER_USERNAME_AND_ADDRESS, 7)


# --- join-code guessing (core, both backends) ----------------------------------------------------

@pytest.fixture
def workshop(database):
    ev = create_event(SYSTEM, slug="atelier-secu", title="Atelier sécurité")
    theme = add_theme(SYSTEM, ev["id"], "Travailler en réseaux")
    session = add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    add_subgroup(SYSTEM, session["id"], "Table A")
    return session


def test_a_guesser_dropping_its_browser_cookie_still_hits_the_address_limit(workshop, clock):
    # a new random browser key on every try, as a script that discards the atelier_b cookie would
    for i in range(join.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(NotFound):
            join.check_code("ZZZZZZ", browser_key=f"fresh-{i}", address="198.51.100.7")
    with pytest.raises(join.TooManyAttempts):
        join.check_code(workshop["join_code"], browser_key="fresh-last", address="198.51.100.7")
    # the rest of the world still joins, and the address is free again after the window
    assert join.check_code(workshop["join_code"], "other", "203.0.113.9").session_id == workshop["id"]
    clock.advance(minutes=5, seconds=1)
    assert join.check_code(workshop["join_code"], "fresh-later", "198.51.100.7").session_id == workshop["id"]


def test_the_browser_limit_is_in_the_database_not_in_the_page(workshop, clock):
    """A new tab (new Streamlit session) with the same browser cookie finds the same count."""
    for _ in range(join.MAX_FAILURES_PER_BROWSER):
        with pytest.raises(NotFound):
            join.check_code("ZZZZZZ", browser_key="same-browser")
    db.dispose_all()  # nothing kept in this process's memory either
    with pytest.raises(join.TooManyAttempts) as refused:
        join.check_code(workshop["join_code"], browser_key="same-browser")
    assert refused.value.params == {"minutes": 5}
    clock.advance(minutes=5, seconds=1)
    assert join.check_code(workshop["join_code"], browser_key="same-browser").session_id == workshop["id"]


def test_wrong_codes_sent_at_once_cannot_all_slip_under_the_limit(workshop, clock):
    counted, refused, errors_ = [], [], []
    barrier = threading.Barrier(30)

    def guess() -> None:
        barrier.wait()
        try:
            join.check_code("ZZZZZZ", browser_key="one-browser")
        except join.TooManyAttempts:
            refused.append(1)
        except NotFound:
            counted.append(1)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors_.append(exc)

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors_
    assert (len(counted), len(refused)) == (join.MAX_FAILURES_PER_BROWSER, 30 - join.MAX_FAILURES_PER_BROWSER)


def test_old_join_attempts_are_purged(workshop, clock):
    with pytest.raises(NotFound):
        join.check_code("ZZZZZZ", browser_key="b1", address="198.51.100.7")
    clock.advance(days=1, minutes=1)
    join.check_code(workshop["join_code"], browser_key="b2")
    with db.read_session() as s:
        assert s.execute(select(m.JoinAttempt.client_key)).scalars().all() == ["b:b2"]


# --- the login page (AppTest) ------------------------------------------------------------------

def _page_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "markdown", "error", "warning", "info", "success", "caption"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


def _login(at: AppTest, username: str, password: str) -> str:
    at.switch_page("app_pages/login.py").run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    at.run()
    return _page_text(at)


LOCKED = "Trop de tentatives de connexion. Par sécurité, réessayez dans"


def test_login_page_locks_a_username_after_five_wrong_passwords(staff, clock):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    for _ in range(5):
        assert "Identifiant ou mot de passe incorrect." in _login(at, "anim", "pas-le-bon-mot")
    # a new tab (a new Streamlit session) with the right password: refused, password not checked
    tab = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    tab.run()
    text = _login(tab, "anim", "motdepasse-anim")
    assert f"{LOCKED} 15 min." in text and "Mes ateliers" not in text
    # an unknown username gets the very same refusal after as many tries
    for _ in range(5):
        _login(tab, "inconnu", "pas-le-bon-mot")
    assert f"{LOCKED} 15 min." in _login(tab, "inconnu", "motdepasse-anim")
    # another staff member is not affected
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    other.run()
    assert "Mes ateliers" in _login(other, "chef", "motdepasse-chef")
    # after the window the right password works again
    clock.advance(minutes=15)
    late = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    late.run()
    assert "Mes ateliers" in _login(late, "anim", "motdepasse-anim")
    assert accounts.login_failures("anim") == 0


def test_login_refusal_is_in_the_users_language(staff, clock):
    _fail("anim", times=5)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.selectbox(key="lang_choice").select("nl").run()
    assert "Te veel aanmeldpogingen." in _login(at, "anim", "motdepasse-anim")
    at.selectbox(key="lang_choice").select("en").run()
    assert "Too many sign-in attempts. For security, try again in 15 min." in _login(at, "anim", "x" * 12)


# --- secrets out of errors, command output and backups -------------------------------------------

def test_sql_errors_never_carry_the_statement_values(staff):
    secret_hash = "$2b$12$SECRET-HASH-VALUE-THAT-MUST-NOT-SHOW-UP-ANYWHERE"
    with pytest.raises(DBAPIError) as failed:
        with db.get_engine().begin() as conn:  # a duplicate username: an integrity error
            conn.execute(insert(m.User.__table__).values(
                username="anim", name="x", email="", role="admin", password_hash=secret_hash, active=True,
                is_demo=False, password_changed_at=T0))
    assert "SECRET-HASH" not in str(failed.value)
    assert "parameters hidden" in str(failed.value)


def _manage(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], input=stdin, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120, cwd=ROOT)


def test_command_line_output_and_backup_keep_secrets_safe(sqlite_file, tmp_path):
    env = {"ATELIER_DATABASE_URL": sqlite_file}
    password = "Tres-Secret-Mot-De-Passe-77"
    outputs = [_manage(["create-user", "--username", "zoe", "--role", "admin", "--name", "Zoé"], env, password + "\n"),
               _manage(["list-users"], env), _manage(["list-users", "--json"], env),
               _manage(["set-password", "--username", "zoe"], env, password + "-2\n"),
               _manage(["backup", "--out", str(tmp_path / "backup.json")], env)]
    assert [p.returncode for p in outputs] == [0] * 5, [p.stderr for p in outputs]
    db.configure(sqlite_file)
    try:
        with db.read_session() as s:
            stored_hash = s.execute(select(m.User.password_hash)).scalar_one()
    finally:
        db.configure(None)
    printed = "\n".join(p.stdout + p.stderr for p in outputs)
    assert "zoe" in printed
    for secret in (password, stored_hash, stored_hash[7:29]):  # the hash and its salt
        assert secret not in printed
    # the backup is for restoring, so it holds the hashes: owner-only permissions
    backup = tmp_path / "backup.json"
    assert stored_hash in backup.read_text(encoding="utf-8")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_command_line_errors_do_not_print_the_database_password(tmp_path):
    secret = "Db-Pa55word-Not-For-Eyes"
    url = f"postgresql+psycopg://atelier:{secret}@127.0.0.1:9/atelier"  # nothing listens on port 9
    done = _manage(["list-users"], {"ATELIER_DATABASE_URL": url, "ATELIER_DB_CONNECT_TIMEOUT_S": "3"})
    assert done.returncode != 0
    assert secret not in done.stdout + done.stderr
    assert "error" in done.stderr.lower() and "Traceback" not in done.stderr


# --- the reverse proxy configuration (deploy/) --------------------------------------------------

NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


def _headers(conf: str) -> dict[str, str]:
    """add_header NAME "VALUE" always; of the TLS server block (comments removed)."""
    body = "\n".join(line.split("#", 1)[0] for line in conf.splitlines())
    return {name.lower(): value for name, value in re.findall(r'add_header\s+([\w-]+)\s+"([^"]*)"\s+always\s*;', body)}


def _csp(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_nginx_sets_every_security_header():
    headers = _headers(NGINX)
    assert re.search(r"max-age=(\d+)", headers["strict-transport-security"])
    assert int(re.search(r"max-age=(\d+)", headers["strict-transport-security"]).group(1)) >= 15_552_000  # 180 days
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] in ("same-origin", "no-referrer", "strict-origin")  # links carry tokens
    assert headers["x-frame-options"] == "SAMEORIGIN"
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in headers["permissions-policy"]
    csp = _csp(headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    # what Streamlit's page needs: its inline styles, data:/blob: images (charts, QR codes,
    # downloads), its websocket to this host only, its component iframes from this host
    assert "'unsafe-inline'" in csp["style-src"]
    assert {"data:", "blob:"} <= set(csp["img-src"])
    assert "wss://$host" in csp["connect-src"] and "wss:" not in csp["connect-src"]
    assert csp["frame-src"] == ["'self'"]
    # nothing from another host (the tab icon is a local image: a ":material/...:" page_icon would
    # be fetched from Google's font server)
    foreign = {src for values in csp.values() for src in values if src.startswith("http") or src == "*"}
    assert foreign == set()
    assert ":material/" not in re.search(r"page_icon=([^,)]+)", (ROOT / "app.py").read_text(encoding="utf-8"))[1]


def _script_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _inline_scripts(index_html: Path) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", index_html.read_text(encoding="utf-8"), re.S)


def test_nginx_allows_exactly_the_inline_scripts_the_pages_run():
    """script-src has no 'unsafe-inline': each inline script is allowed by its hash. Recomputed
    here from the installed packages, so an upgrade that changes one fails this test."""
    import extra_streamlit_components
    import streamlit

    from ui.auth import COOKIE_SCRIPT

    site = {"streamlit": Path(streamlit.__file__).parent / "static" / "index.html",
            "cookie component": Path(extra_streamlit_components.__file__).parent / "CookieManager" / "frontend"
            / "build" / "index.html"}
    needed = {"ui/auth.py COOKIE_SCRIPT": _script_hash(COOKIE_SCRIPT)}
    for name, path in site.items():
        scripts = _inline_scripts(path)
        assert scripts, name
        for i, script in enumerate(scripts):
            needed[f"{name} #{i}"] = _script_hash(script)
    script_src = _csp(_headers(NGINX)["content-security-policy"])["script-src"]
    missing = {name: h for name, h in needed.items() if h not in script_src}
    assert not missing, f"add to script-src in deploy/nginx.conf: {missing}"
    assert set(script_src) == {"'self'", *needed.values()}  # nothing else: no 'unsafe-inline', no 'unsafe-eval'


def test_nginx_headers_reach_every_location():
    # nginx drops the server's add_header lines in a location that has its own add_header
    body = "\n".join(line.split("#", 1)[0] for line in NGINX.splitlines())
    locations = re.findall(r"location\s+[^{]+\{([^}]*)\}", body)
    assert locations and not any("add_header" in loc for loc in locations)


def test_nginx_forwards_the_client_address_and_marks_streamlits_cookie():
    body = "\n".join(line.split("#", 1)[0] for line in NGINX.splitlines())
    # the app rate-limits by the address nginx appends (uvicorn trusts it from 127.0.0.1 only)
    assert body.count("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;") == 2
    # Set-Cookie from the app (Streamlit's _streamlit_xsrf) gets Secure; the page must still read it
    flags = re.search(r"proxy_cookie_flags\s+([^;]+);", body).group(1).split()
    assert "secure" in flags and "httponly" not in flags
    assert re.search(r"location\s+(\^~\s+)?/_stcore/agent/?\s*\{\s*return\s+404;", body)


def test_streamlit_config_is_fit_for_production():
    import tomllib

    conf = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = conf.get("server", {})
    assert conf["client"]["showErrorDetails"] == "none"     # no stack trace reaches a browser
    assert server.get("enableXsrfProtection", True) is True  # the defaults, never switched off
    assert server.get("enableCORS", True) is True
    assert server.get("enableAgentApi", False) is False
    assert server.get("address") == "127.0.0.1"              # only nginx reaches the processes


def test_deploy_readme_documents_headers_cookies_and_secrets():
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    for needle in ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
                   "Referrer-Policy", "X-Frame-Options", "Permissions-Policy", "HttpOnly", "Secure",
                   "SameSite", "enableXsrfProtection", "FORWARDED_ALLOW_IPS", "0600"):
        assert needle in readme, needle
