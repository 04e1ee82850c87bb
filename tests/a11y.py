"""Accessibility checks in the browser tests: axe-core (npm registry, pinned in package.json and
installed by ``make browser``) injected into a Playwright page, run with the WCAG 2 A/AA rules.

``serious(page)`` returns the critical and serious violations, each as "rule: target (summary)",
so a failing assertion says what to fix. Selectors of Streamlit's own markup that the app cannot
change are excluded by name in ``FRAMEWORK_EXCLUDES`` (each with its reason, also in README)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FRAMEWORK_EXCLUDES: list[str] = [
    # Streamlit's sidebar navigation puts its section headers (divs) directly in its <ul> of pages
    # (axe: list, listitem); the app only lists the pages (st.navigation), it cannot change that markup.
    '[data-testid="stSidebarNavItems"]',
]


def require_axe() -> str:
    if not AXE.exists():
        if os.environ.get("ATELIER_REQUIRE_BROWSER") == "1":
            pytest.fail("axe-core is required (ATELIER_REQUIRE_BROWSER=1): `make browser` installs it with npm")
        pytest.skip("axe-core is not installed: run `make browser` (npm ci)")
    return AXE.read_text(encoding="utf-8")


def violations(page: Any, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=require_axe())
    context = {"exclude": [[sel] for sel in FRAMEWORK_EXCLUDES + (exclude or [])]}
    result = page.evaluate(
        """([context, tags]) => axe.run(context.exclude.length ? context : document,
                                       {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [context, WCAG])
    return list(result["violations"])


def serious(page: Any, exclude: list[str] | None = None) -> list[str]:
    out = []
    for v in violations(page, exclude):
        if v.get("impact") in ("critical", "serious"):
            for node in v["nodes"]:
                out.append(f"{v['id']}: {' '.join(map(str, node['target']))} ({node.get('failureSummary', '')[:160]})")
    return out
