"""Secrets and browser policy in the real app: one tour of the app as staff, as a participant and as
a stranger (a wrong login, error pages), served with the headers of deploy/nginx.conf; then the
server log and every page's HTML are searched for the secrets, and the browser's console for
Content-Security-Policy violations. The database URL carries a password when PostgreSQL is
available (``ATELIER_TEST_POSTGRES_URL``); SQLite otherwise."""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from tests.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LIVE,
    ROOT,
    cookie_value,
    in_french,
    poll,
    require_chromium,
    running_app,
    ticks,
    wait_idle,
)
from tests.test_security import NGINX, _headers

pytestmark = pytest.mark.browser

PG_URL = os.environ.get("ATELIER_TEST_POSTGRES_URL")
COOKIE_KEY = "cookie-key-" + secrets.token_hex(20)
STAFF_PASSWORD = "Staff-Pass-" + secrets.token_hex(6)
SMTP_PASSWORD = "smtp-pass-" + secrets.token_hex(6)
DB_PASSWORD = "db-pass-" + secrets.token_hex(6)
STAFF_PAGES = ["sessions", "console", "projector", "canvas", "home", "events", "dashboard", "registrations",
               "inventory", "users"]
PARTICIPANT_PAGES = ["group", "canvas", "inventory"]


def _manage(args: list[str], url: str, stdin: str = "") -> str:
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], input=stdin, capture_output=True,
                          text=True, env={**os.environ, "ATELIER_DATABASE_URL": url}, timeout=180, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory):
    """A migrated database with the demo data and an admin; on PostgreSQL, reached through a URL
    that carries a password (the test server trusts local connections, so any password works)."""
    if PG_URL:
        schema = f"atelier_secrets_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(PG_URL).set(password=DB_PASSWORD).render_as_string(hide_password=False)
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('secrets') / 'atelier.db'}"
    try:
        outputs = [_manage(["init-db"], url), _manage(["seed-demo"], url),
                   _manage(["create-user", "--username", "chef", "--role", "admin", "--name", "Chef Sécurité"],
                           url, STAFF_PASSWORD + "\n")]
        yield url, "\n".join(outputs)
    finally:
        if PG_URL:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _read_db(url: str):
    from core.setup.events import get_event
    from storage import db
    from storage import models as m

    db.configure(url)
    try:
        with db.read_session() as s:
            password_hash = s.execute(select(m.User.password_hash).where(m.User.username == "chef")).scalar_one()
        return password_hash, get_event("partners-day-2024").sessions[0].join_code
    finally:
        db.configure(None)
        db.dispose_all()


@contextlib.contextmanager
def chromium_behind_proxy():
    """Chromium for pages re-served by Playwright with the proxy's headers. Such a response has no
    server address, so Chromium's Local Network Access checks would block the page's websocket to
    127.0.0.1 (behind nginx the page really comes from the server and nothing is blocked)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"])
        try:
            yield in_french(browser)
        finally:
            browser.close()


def _with_proxy_headers(context, host: str) -> None:
    """Serve every response with the headers nginx adds (HSTS aside: plain HTTP here)."""
    headers = {name: value.replace("$host", host) for name, value in _headers(NGINX).items()
               if name != "strict-transport-security"}

    def handle(route) -> None:
        from playwright.sync_api import Error

        for attempt in range(3):  # a kept-alive connection closed by the server: fetch again
            try:
                response = route.fetch()
                break
            except Error:
                if attempt == 2:
                    raise
        route.fulfill(response=response, headers={**response.headers, **headers})

    context.route(lambda url: not url.startswith(f"http://{host}/"), lambda route: route.abort())  # no internet
    context.route(f"http://{host}/**", handle)


class Tour:
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}     # "who /path" -> HTML of the page and its frames, and its text
        self.console: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))

    def record(self, page, label: str) -> None:
        wait_idle(page, 60_000)
        if page.locator(LIVE).count():   # a page with live parts: let them tick once
            ticks(page, 1, 60_000)
            wait_idle(page, 60_000)
        parts = [page.content(), page.inner_text("body")]
        parts += [frame.content() for frame in page.frames[1:] if not frame.is_detached()]
        self.pages[label] = "\n".join(parts)


@pytest.fixture(scope="module")
def tour(database_url):
    url, setup_output = database_url
    password_hash, code = _read_db(url)
    env = {"ATELIER_COOKIE_KEY": COOKIE_KEY, "ATELIER_SMTP_PASSWORD": SMTP_PASSWORD,
           "ATELIER_SMTP_USER": "atelier"}
    record = Tour()
    with running_app(url, env, timeout=120) as base, chromium_behind_proxy() as browser:
        host = base.removeprefix("http://")
        record.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"atelier-app-{host.rsplit(':', 1)[1]}.log"

        # a stranger: a wrong password, then error pages
        stranger = browser.new_context(viewport={"width": 1280, "height": 900})
        _with_proxy_headers(stranger, host)
        page = stranger.new_page()
        record.watch(page)
        page.goto(f"{base}/login")
        page.get_by_role("textbox", name="Identifiant").fill("chef")
        page.get_by_role("textbox", name="Mot de passe").fill("pas-le-bon-mot-de-passe")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Identifiant ou mot de passe incorrect.").wait_for(timeout=30_000)
        record.record(page, "stranger /login (wrong password)")
        page.goto(f"{base}/?screen=not-a-real-screen-token")
        page.get_by_text("Ce lien d’écran n’est plus valide").wait_for(timeout=30_000)
        record.record(page, "stranger /?screen=bad")
        page.goto(f"{base}/users")
        page.get_by_text("Cette page n’est pas ouverte pour vous").wait_for(timeout=30_000)   # back home
        record.record(page, "stranger /users (not open to them)")

        # staff: log in, then every page of the admin's navigation
        staff = browser.new_context(viewport={"width": 1280, "height": 900})
        _with_proxy_headers(staff, host)
        page = staff.new_page()
        record.watch(page)
        page.goto(f"{base}/login")
        page.get_by_role("textbox", name="Identifiant").fill("chef")
        page.get_by_role("textbox", name="Mot de passe").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Connecté·e : Chef Sécurité").wait_for(state="attached", timeout=30_000)
        for path in STAFF_PAGES:
            page.goto(f"{base}/{path}")
            page.get_by_text("Connecté·e : Chef Sécurité").wait_for(state="attached", timeout=30_000)
            record.record(page, f"staff /{path}")
        record.staff_cookie = next(c for c in staff.cookies() if c["name"] == "atelier_staff")
        # control: the policy is in force (an injected inline script does not run)
        record.injected_script_ran = page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.cspProbe = 1';"
            " document.body.appendChild(s); return window.cspProbe === 1; }")

        # a participant: join by link, then the participant's pages
        participant = browser.new_context(viewport={"width": 1280, "height": 900})
        _with_proxy_headers(participant, host)
        page = participant.new_page()
        record.watch(page)
        page.goto(f"{base}/join?join={code}")
        page.get_by_text("Sous-groupe 3").wait_for(timeout=30_000)
        page.get_by_text("Sous-groupe 3").click()
        page.get_by_role("textbox", name="Votre prénom (facultatif)").fill("Nadia")
        page.get_by_role("button", name="Rejoindre").click()
        page.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
        record.record(page, "participant after joining")
        for path in PARTICIPANT_PAGES:
            page.goto(f"{base}/{path}")
            page.get_by_text("Nadia").first.wait_for(timeout=30_000)
            record.record(page, f"participant /{path}")
        page.goto(f"{base}/users")
        page.get_by_text("Cette page n’est pas ouverte pour vous").wait_for(timeout=30_000)   # back home
        record.record(page, "participant /users (not open to them)")
        record.participant_cookie = next(c for c in participant.cookies() if c["name"] == "atelier_p")
        for context in (stranger, staff, participant):
            context.close()
    record.log = record.log_path.read_text(encoding="utf-8", errors="replace")
    record.setup_output = setup_output
    record.password_hash = password_hash
    record.url = url
    return record


def _secrets(tour: Tour) -> dict[str, str]:
    token = tour.participant_cookie["value"]
    found = {"cookie key": COOKIE_KEY, "staff password": STAFF_PASSWORD, "SMTP password": SMTP_PASSWORD,
             "bcrypt hash": tour.password_hash, "bcrypt salt": tour.password_hash[7:29],
             "staff login JWT": tour.staff_cookie["value"], "participant token": token,
             "participant token hash": hashlib.sha256(token.encode()).hexdigest()}
    if PG_URL:
        found["database password"] = DB_PASSWORD
    return found


def test_the_tour_really_used_the_secrets(tour):
    """The search below means something only if these are the values the app worked with."""
    import jwt

    claims = jwt.decode(tour.staff_cookie["value"], COOKIE_KEY, algorithms=["HS256"])
    assert claims["username"] == "chef"
    assert tour.password_hash.startswith("$2b$")
    assert len(tour.participant_cookie["value"]) >= 40
    assert (DB_PASSWORD in tour.url) == bool(PG_URL)
    assert "You can now view your Streamlit app" in tour.log
    assert len(tour.pages) == 3 + len(STAFF_PAGES) + 1 + len(PARTICIPANT_PAGES) + 1
    assert "Bienvenue, Nadia !" in tour.pages["participant after joining"]
    assert "Comptes de l’équipe" in tour.pages["staff /users"]


def test_no_secret_in_the_server_log_the_setup_output_or_any_page(tour):
    places = {"server log": tour.log, "manage.py output": tour.setup_output, **tour.pages}
    leaks = [f"{secret} in {place}" for secret, value in _secrets(tour).items()
             for place, content in places.items() if value in content]
    assert leaks == []


def test_cookies_are_lax_and_the_pages_break_no_content_security_policy(tour):
    """Every page worked under the policy of deploy/nginx.conf (the tour found its text on each),
    and the browser reported no violation but the control's."""
    for cookie in (tour.staff_cookie, tour.participant_cookie):
        assert cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert not cookie["secure"]  # plain HTTP here; over HTTPS the page adds Secure
    assert tour.injected_script_ran is False
    probe = [m for m in tour.console if "Content Security Policy" in m or "Refused to" in m]
    assert len(probe) == 1 and "inline script" in probe[0]  # the probe's, and only that one


@pytest.fixture(scope="module")
def plain_app(copy_demo):
    """One app server on a demo database with the admin "chef", for the tests below; yields
    (database URL, base URL, join code)."""
    from core.access import accounts
    from core.setup.events import get_event
    from storage import db

    url = copy_demo("security")
    db.configure(url)
    try:
        accounts.create_user("chef", "admin", "Chef Sécurité", "", STAFF_PASSWORD)
        code = get_event("partners-day-2024").sessions[0].join_code
    finally:
        db.configure(None)
    with running_app(url) as base:
        yield url, base, code


def test_join_guessing_is_limited_by_the_address_the_proxy_reports(plain_app, contexts):
    """Behind nginx, Streamlit (uvicorn) takes the client address from X-Forwarded-For when the
    connection comes from 127.0.0.1, and the right-most entry wins (the one nginx appends): an
    address that guessed 100 wrong codes is refused even from a brand-new browser, and a client
    cannot escape by putting another address first in the header."""
    from storage import db
    from storage import models as m

    url, base, code = plain_app
    db.configure(url)
    try:
        with db.write_session() as s:
            s.execute(m.JoinAttempt.__table__.insert(), [
                {"client_key": "a:203.0.113.7", "success": False, "at": m.utcnow()} for _ in range(100)])
    finally:
        db.configure(None)
    for forwarded, refused in (("198.51.100.9, 203.0.113.7", True), ("203.0.113.8", False)):
        context = contexts(extra_http_headers={"X-Forwarded-For": forwarded})
        page = context.new_page()
        page.goto(f"{base}/join?join={code}")
        if refused:
            page.get_by_text("Trop de codes erronés").wait_for(timeout=30_000)
            assert "Sous-groupe 3" not in page.inner_text("body")
        else:
            page.get_by_text("Sous-groupe 3").wait_for(timeout=30_000)
            assert "Trop de codes erronés" not in page.inner_text("body")
        context.close()


NGINX_BIN = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@contextlib.contextmanager
def nginx_in_front(app_base: str, workdir: Path):
    """deploy/nginx.conf as shipped, on free ports with a self-signed certificate, in front of one
    app process; yields (https base, http base)."""
    from tests.browser import free_port

    https_port, http_port = free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(workdir / "key.pem"), "-out", str(workdir / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    site, n = re.subn(r"(?m)^\s*server 127\.0\.0\.1:85\d\d [^\n]*\n", "", NGINX)
    assert n == 3
    replacements = [
        ("upstream atelier {", f"upstream atelier {{\n    server {app_base.removeprefix('http://')};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/atelier.example.org/fullchain.pem", str(workdir / "cert.pem")),
        ("/etc/letsencrypt/live/atelier.example.org/privkey.pem", str(workdir / "key.pem")),
    ]
    for old, new in replacements:
        assert site.count(old) == 1, old
        site = site.replace(old, new)
    (workdir / "site.conf").write_text(site, encoding="utf-8")
    temp = "".join(f"    {kind}_temp_path {workdir / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (workdir / "main.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'};\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp}    include {workdir / 'site.conf'};\n}}\n", encoding="utf-8")
    proc = subprocess.Popen([NGINX_BIN, "-p", str(workdir), "-c", str(workdir / "main.conf"), "-g", "daemon off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        import ssl
        import time
        import urllib.request

        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"https://127.0.0.1:{https_port}/_stcore/health", context=insecure,
                                            timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    said = proc.stdout.read().decode() if proc.poll() is not None else ""
                    raise RuntimeError(f"nginx did not start: {said}") from None
                time.sleep(0.3)
        yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.skipif(NGINX_BIN is None, reason="nginx is not installed (Debian: apt-get install nginx-light)")
def test_behind_the_shipped_nginx_config_headers_and_secure_cookies(plain_app, contexts, tmp_path):
    """The real deploy/nginx.conf in front of the app over HTTPS: every header arrives, the app's
    cookies get Secure (and SameSite=Lax) from the page, Streamlit's XSRF cookie gets Secure from
    nginx, logins and joins work through the proxied websocket, plain HTTP is redirected, the
    agent API is closed, and no page breaks the Content-Security-Policy."""
    import urllib.error
    import urllib.request

    _url, app, code = plain_app
    with nginx_in_front(app, tmp_path) as (https, http):
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        with pytest.raises(urllib.error.HTTPError) as redirect:
            urllib.request.build_opener(NoRedirect).open(f"{http}/login", timeout=10)
        assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")

        context = contexts(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
        console: list[str] = []
        page = context.new_page()
        page.on("console", lambda msg: console.append(msg.text))
        response = page.goto(f"{https}/login")
        served = response.all_headers()
        for name, value in _headers(NGINX).items():
            assert served.get(name) == value.replace("$host", "127.0.0.1"), name
        page.get_by_role("textbox", name="Identifiant").fill("chef")
        page.get_by_role("textbox", name="Mot de passe").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Connecté·e : Chef Sécurité").wait_for(state="attached", timeout=30_000)
        poll(page, lambda: cookie_value(context, "atelier_staff"), what="the staff cookie written by the page")
        page.reload()
        page.get_by_text("Connecté·e : Chef Sécurité").wait_for(state="attached", timeout=30_000)
        for path in ("dashboard", "projector", "console"):
            page.goto(f"{https}/{path}")
            page.get_by_text("Connecté·e : Chef Sécurité").wait_for(state="attached", timeout=30_000)
            wait_idle(page, 60_000)
        agent = page.request.get(f"{https}/_stcore/agent/openapi.json")
        assert agent.status == 404

        joiner = contexts(ignore_https_errors=True)
        other = joiner.new_page()
        other.on("console", lambda msg: console.append(msg.text))
        other.goto(f"{https}/join?join={code}")
        other.get_by_text("Sous-groupe 3").click(timeout=30_000)
        other.get_by_role("textbox", name="Votre prénom (facultatif)").fill("Nadia")
        other.get_by_role("button", name="Rejoindre").click()
        other.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)
        poll(other, lambda: cookie_value(joiner, "atelier_p"), what="the participant's cookie written by the page")
        other.reload()  # the Secure cookie is sent back over HTTPS: still in the sub-group
        other.get_by_text("Bienvenue, Nadia !").wait_for(timeout=30_000)

        cookies = {c["name"]: c for c in context.cookies() + joiner.cookies()}
        assert {"atelier_staff", "atelier_p", "atelier_b", "_streamlit_xsrf"} <= set(cookies)
        for name in ("atelier_staff", "atelier_p", "atelier_b", "_streamlit_xsrf"):
            assert cookies[name]["secure"] is True, name
            assert cookies[name]["sameSite"] == "Lax", name
        assert [m for m in console if "Content Security Policy" in m] == []
