"""Helpers for browser tests: the real app under `streamlit run`, driven by Playwright in Debian's
Chromium (Playwright cannot download browsers here)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ATELIER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def require_chromium() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    if os.environ.get("ATELIER_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is required (ATELIER_REQUIRE_BROWSER=1) but {CHROMIUM} is missing")
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package to run browser tests")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(database_url: str, env: dict[str, str] | None = None, timeout: float = 60,
                port: int | None = None) -> Iterator[str]:
    """Start `streamlit run app.py` against ``database_url`` on ``port`` (default: a free one, e.g.
    the same one again to restart a server under its tabs); yields the base URL."""
    port = port or free_port()
    # links the app shows (personal links, QR codes) point back to this server; tests never mail
    full_env = {**os.environ, "ATELIER_DATABASE_URL": database_url,
                "ATELIER_BASE_URL": f"http://127.0.0.1:{port}", **(env or {})}
    full_env.pop("ATELIER_SMTP_HOST", None)
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"atelier-app-{port}.log", "a")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"app did not start: see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_idle(page, timeout: float = 30_000) -> None:  # noqa: ANN001
    page.wait_for_selector(IDLE, timeout=timeout)
