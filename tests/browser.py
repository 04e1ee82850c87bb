"""Helpers for browser tests: the real app under `streamlit run`, driven by Playwright in Debian's
Chromium (Playwright cannot download browsers here)."""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ATELIER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
# The page is drawn and no script runs. Before its first run the app says "initial", not "notRunning";
# but after a click it still says "notRunning" until the server answers: see ``after_run``.
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LIVE = '[class*="st-key-live_"]'   # the live parts of a page (ui.live.live_view)
# Ports for test servers: below Linux's ephemeral range (32768-60999 by default), which outgoing
# connections (the browser, database clients) take from at any moment, so a port found free here is not
# handed to a client before the server binds it; never the same one twice in a process.
PORTS = range(20_000, 32_000)
_ports_given: set[int] = set()


def require_chromium() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("ATELIER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is required (ATELIER_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package to run browser tests")


def free_port() -> int:
    """A port nobody listens on now, outside the ephemeral range and never given before here."""
    for _ in range(200):
        port = random.choice(PORTS)
        if port in _ports_given:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        return port
    raise RuntimeError("no free port for a test server")


@contextlib.contextmanager
def running_app(database_url: str, env: dict[str, str] | None = None, timeout: float = 60,
                port: int | None = None) -> Iterator[str]:
    """Start `streamlit run app.py` against ``database_url`` on ``port`` (default: a free one, e.g.
    the same one again to restart a server under its tabs); yields the base URL.

    Ready means: this process logged that it serves this port and the port answers its health check
    (not another server that holds the port). A free port taken by someone else before the server
    binds it is replaced by another one (twice at most); a port given by the caller is kept."""
    attempts = 1 if port else 3
    for attempt in range(attempts):
        chosen = port or free_port()
        try:
            proc, log = _start_app(database_url, env, timeout, chosen)
            break
        except _PortTaken:
            if attempt == attempts - 1:
                raise RuntimeError(f"port {chosen} was taken before the app could bind it") from None
    try:
        yield f"http://127.0.0.1:{chosen}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


class _PortTaken(Exception):
    pass


def _start_app(database_url: str, env: dict[str, str] | None, timeout: float, port: int):
    # links the app shows (personal links, QR codes) point back to this server; tests never mail
    full_env = {**os.environ, "ATELIER_DATABASE_URL": database_url,
                "ATELIER_BASE_URL": f"http://127.0.0.1:{port}", **(env or {})}
    full_env.pop("ATELIER_SMTP_HOST", None)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"atelier-app-{port}.log"
    log = open(path, "a")
    start = path.stat().st_size   # the log of an earlier server on this port says nothing about this one
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                said = path.read_text(errors="replace")[start:]
                if f"Port {port} is not available" in said:
                    raise _PortTaken()
                raise RuntimeError(f"app did not start: see {log.name}")
            if f"URL: {base}" in path.read_text(errors="replace")[start:]:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            return proc, log
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start within {timeout:.0f} s: see {log.name}")
            time.sleep(0.2)   # polling the process and its log until the deadline
    except BaseException:
        proc.kill()
        proc.wait()
        log.close()
        raise


LOCALE = "fr-BE"   # the language of a browser in the room (the app follows the browser's language)


def in_french(browser):
    """Contexts and pages of ``browser`` speak French unless a test asks for another ``locale``
    (headless Chromium would say en-US, and the app follows the browser's language)."""
    new_context, new_page = browser.new_context, browser.new_page
    browser.new_context = lambda **options: new_context(**{"locale": LOCALE, **options})
    browser.new_page = lambda **options: new_page(**{"locale": LOCALE, **options})
    return browser


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield in_french(browser)
        finally:
            browser.close()


def wait_idle(page, timeout: float = 30_000) -> None:
    """The page has drawn and runs no script now. Right after a click this may still be the state
    from before it (the page says "running" only when the server answers): use ``after_run``."""
    page.wait_for_selector(IDLE, timeout=timeout)


def open_canvas(page, timeout: float = 30_000) -> None:
    """Go from a participant's page to the persona canvas by the menu and wait until the canvas page
    has drawn and finished its run. Waiting for a word such as "Freins" or a box named "Texte" is not
    enough: the sub-group page shows both, so a test could type into the page it is leaving."""
    page.get_by_role("link", name="Canevas du persona").click()
    page.wait_for_url("**/canvas*", timeout=timeout)
    page.locator(".st-key-canvas_choice").wait_for(timeout=timeout)   # only the canvas page draws it
    wait_idle(page, timeout)


# Counts the script runs a page has finished (the app's script state leaving "running"), from the
# first call on (again after a navigation, which starts a new document).
_RUNS_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return -1;
  if (window.__atelierRuns === undefined) {
    window.__atelierRuns = 0;
    new MutationObserver(records => {
      for (const r of records) if (r.oldValue === 'running') window.__atelierRuns += 1;
    }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
  }
  return window.__atelierRuns;
}"""


def runs_finished(page) -> int:
    """How many script runs the page finished since it was first asked (a baseline for ``after_run``)."""
    return page.evaluate(_RUNS_JS)


def after_run(page, action: Callable[[], Any], timeout: float = 30_000) -> Any:
    """Do ``action`` (a click, a key press...) and wait until a script run that started after it has
    finished and the page is idle. On a page with live views a tick may be the run that finished: wait
    for what the action shows when it matters."""
    wait_idle(page, timeout)
    before = runs_finished(page)
    result = action()
    page.wait_for_function(
        f"() => window.__atelierRuns > {before} && document.querySelector('{IDLE}') !== null", timeout=timeout)
    return result


def ticks(page, count: int = 3, timeout: float = 30_000) -> None:
    """Wait until the page has finished ``count`` more script runs: on a page nobody touches, live
    ticks (each one reads the database and redraws its live parts)."""
    before = runs_finished(page)
    page.wait_for_function(f"() => window.__atelierRuns >= {before + count}", timeout=timeout)


def choose(page, widget, option: str, attempts: int = 5) -> None:
    """Pick ``option`` in the select box ``widget`` (a locator of its ``.st-key-...`` container) and
    wait for the run it causes. A live part redrawn on the page may close the list before the click
    lands: open it again, as a person would."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(attempts):
        wait_idle(page)
        before = runs_finished(page)
        widget.locator("input").first.click()
        try:
            wanted.click(timeout=5_000)
        except PlaywrightTimeout:   # the list closed under the pointer: once more
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        page.wait_for_function(f"() => window.__atelierRuns > {before} && document.querySelector('{IDLE}') !== null",
                               timeout=30_000)
        return


def sign_in(page, base: str, username: str, password: str, timeout: float = 30_000) -> None:
    """A staff member signs in on /login (in French); returns once their first page ("Mes ateliers") shows."""
    page.goto(f"{base}/login")
    page.get_by_role("textbox", name="Identifiant").wait_for(timeout=timeout)
    wait_idle(page, timeout)
    page.get_by_role("textbox", name="Identifiant").fill(username)
    page.get_by_role("textbox", name="Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Mes ateliers").first.wait_for(timeout=timeout)


def cookie_value(context, name: str) -> str | None:
    """The value of a cookie the browser holds now (the app writes its cookies from a page script,
    a moment after the page is drawn), or None."""
    return next((c["value"] for c in context.cookies() if c["name"] == name and c["value"]), None)


def poll(page, condition: Callable[[], Any], timeout: float = 30_000, what: str = "the condition") -> Any:
    """Wait until ``condition()`` (checked in this process: the database, what a ``Lag`` holds...) is
    true, and return it. The page is asked a trivial question between checks: with Playwright's sync
    API its events (websocket messages routed by a ``Lag``) are only handled during such calls."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout / 1000:.0f} s for {what}")
        page.evaluate("() => new Promise(done => setTimeout(done, 50))")


class Lag:
    """A screen that lags behind its server: what the server sends this page can be held back (the
    page then draws nothing new) while the page keeps sending what it has on screen (its live ticks
    carry every widget's value). Call before the page opens the app."""

    def __init__(self, page) -> None:
        self.holding = False
        self.held: list[tuple[Any, Any]] = []
        page.route_web_socket("**/_stcore/stream", self._route)

    def _route(self, ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(server.send)
        server.on_message(lambda message: self.held.append((ws, message)) if self.holding else ws.send(message))

    def hold(self) -> None:
        self.holding = True

    def release(self) -> None:
        self.holding = False
        for ws, message in self.held:
            ws.send(message)
        self.held.clear()

    def runs_held(self) -> list[str]:
        """How each script run whose messages are held ended, in order ("FINISHED_SUCCESSFULLY" for a
        whole page, "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" for a live tick, ...)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        ends = []
        for _ws, message in self.held:
            msg = ForwardMsg()
            msg.ParseFromString(message if isinstance(message, bytes) else message.encode())
            if msg.WhichOneof("type") == "script_finished":
                ends.append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))
        return ends
