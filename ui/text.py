"""User text shown exactly as typed.

Streamlit's title, header, subheader, caption, markdown, expander labels and button labels all
interpret Markdown (links, emphasis, :icons:, $maths$). User text going into any of them is
escaped here so ``[x](javascript:alert(1))`` or ``**hi**`` appears literally; ``st.text`` needs
no escaping."""
from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def md(text: object) -> str:
    """Escape ``text`` for any Markdown-rendering Streamlit element."""
    escaped = _SPECIAL.sub(r"\\\1", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    return escaped.replace("\n", "  \n")


def chart_text(text: object) -> str:
    """Escape ``text`` for a Plotly label, title or hover text. Plotly draws a few HTML tags there
    (``<b>``, ``<br>``, ``<a href>``...) and decodes entities, so user text is escaped; but only
    ``&``, ``<`` and ``>``: Plotly knows ``&amp; &lt; &gt;`` and numeric entities, not ``&quot;``,
    which ``html.escape`` would leave on screen."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unique_labels(labels: list[str]) -> list[str]:
    """Two bars with the same label would be drawn as one: number the repeats."""
    seen: dict[str, int] = {}
    out = []
    for text in labels:
        seen[text] = seen.get(text, 0) + 1
        out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return out
