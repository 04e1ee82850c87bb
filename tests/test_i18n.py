"""Every interface string has a French, English and Dutch text."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from core.i18n import LANGUAGES, PLURAL_BLOCK, PLURAL_CHOICE, catalog

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for d in ("app.py", "app_pages", "ui", "core")
           for p in ([ROOT / d] if d.endswith(".py") else (ROOT / d).rglob("*.py"))]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
ERROR_KEY = re.compile(r"""["'](error\.[a-z0-9_]+)["']""")


def _placeholders(text: str) -> set[str]:
    """Names a message uses, plural blocks included (``{count, plural, one {# x} other {# xs}}``)."""
    names: set[str] = set()
    for block in PLURAL_BLOCK.finditer(text):
        names.add(block.group(1))
        for _choice, branch in PLURAL_CHOICE.findall(block.group(2)):
            names |= {name for _, name, _, _ in string.Formatter().parse(branch) if name}
    return names | {name for _, name, _, _ in string.Formatter().parse(PLURAL_BLOCK.sub("", text)) if name}


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "fr"])
def test_every_key_exists_in_every_catalog_with_the_same_placeholders(lang):
    fr, other = catalog("fr"), catalog(lang)
    assert sorted(set(fr) - set(other)) == [], f"missing in {lang}"
    assert sorted(set(other) - set(fr)) == [], "missing in fr"
    for key, text in fr.items():
        assert _placeholders(text) == _placeholders(other[key]), key
        assert other[key].strip(), key


def test_every_key_used_in_the_code_is_in_the_catalog():
    used: set[str] = set()
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        used |= set(LITERAL_KEY.findall(source)) | set(ERROR_KEY.findall(source))
    missing = sorted(k for k in used if k not in catalog("fr"))
    assert missing == []
