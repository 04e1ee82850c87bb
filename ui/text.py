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
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    return escaped.replace("\n", "  \n")
