"""The pages a participant meets before joining (home, join with a code or a link) read well on a
laptop and a phone: nothing scrolls sideways at 390 px and axe-core finds no critical or serious
violation (WCAG 2 A/AA) in the app's markup."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.a11y import serious
from tests.browser import ROOT, chromium, running_app, wait_idle

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (390, 844)]
SHOTS = ROOT / "test-artifacts" / "screenshots"


def test_home_and_join_pages_fit_a_phone_and_pass_axe(sqlite_file):
    env = {**os.environ, "ATELIER_DATABASE_URL": sqlite_file}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "seed-demo"], env=env, check=True, timeout=120)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(sqlite_file) as base, chromium() as browser:
        for width, height in SIZES:
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, path, marker in (("home", "/", "Événements"), ("join", "/join", "Rejoindre un atelier")):
                page.goto(base + path)
                page.get_by_text(marker).first.wait_for(timeout=30_000)
                wait_idle(page)
                page.screenshot(path=str(SHOTS / f"entry-{name}-{width}x{height}.png"))
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (path, width)
                assert serious(page) == [], (path, width)
            page.close()
