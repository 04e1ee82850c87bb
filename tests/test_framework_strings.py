"""Streamlit's own English strings never reach a French or Dutch page: every select box and
multiselect gets a placeholder in the user's language, no multiselect shows the English "Select
all", every date input gets the app's date format. Checked on the source, so a new widget cannot
forget it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def _widget_calls() -> list[tuple[str, int, str, set[str]]]:
    out = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("selectbox", "multiselect", "date_input"):
                out.append((path.name, node.lineno, node.func.attr, {k.arg for k in node.keywords if k.arg}))
    return out


def test_the_source_has_widgets_to_check():
    kinds = {kind for _f, _l, kind, _k in _widget_calls()}
    assert kinds == {"selectbox", "multiselect", "date_input"}


def test_every_choice_widget_has_a_translated_placeholder_and_no_english_select_all():
    missing = [f"{f}:{line} {kind}" for f, line, kind, kw in _widget_calls()
               if kind in ("selectbox", "multiselect") and "placeholder" not in kw]
    select_all = [f"{f}:{line}" for f, line, kind, kw in _widget_calls()
                  if kind == "multiselect" and "select_all" not in kw]
    assert missing == [] and select_all == []


def test_every_date_input_has_the_apps_format_spelled_in_the_users_language():
    assert [f"{f}:{line}" for f, line, kind, kw in _widget_calls() if kind == "date_input" and "format" not in kw] == []
    labels = [(path.name, node.lineno) for path in SOURCES
              for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "date_input"
              and not (node.args and isinstance(node.args[0], ast.Call) and isinstance(node.args[0].func, ast.Name)
                       and node.args[0].func.id == "date_label")]
    assert labels == []


def test_streamlits_english_input_hints_are_hidden():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    assert "[data-testid='InputInstructions']{display:none}" in app
    assert "[data-testid='stDateInput'] input::placeholder{color:transparent}" in app
