"""What a persona canvas still misses: the canvas page shows it as a to-do list, the way the
Partner's Day report notes that one persona "was not explored to the end".

Each gap is a message key with its parameters (the item's text, so the user sees which need or
lead it is about) and the id of the item concerned (``None`` for a whole section).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.personas.canvas import Canvas

__all__ = ["Gap", "SECTIONS", "is_complete", "missing"]

# the sections of a canvas, in the order the canvas shows them
SECTIONS = ("facts", "barrier", "motivation", "skill", "need")
_EXCERPT = 80


@dataclass(frozen=True)
class Gap:
    kind_key: str                  # message key, e.g. "canvas_rules.gap.need_without_lead"
    params: dict[str, Any] = field(default_factory=dict)
    item_id: int | None = None     # the canvas item (need) or solution lead concerned

    def __hash__(self) -> int:  # params is a dict: hash the rest
        return hash((self.kind_key, self.item_id, tuple(sorted(self.params.items()))))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"


def missing(canvas: Canvas) -> list[Gap]:
    """Every gap of a canvas, sections first, then item by item in canvas order."""
    gaps: list[Gap] = []
    if not canvas.persona.facts:
        gaps.append(Gap("canvas_rules.gap.empty_facts"))
    for kind in SECTIONS[1:]:
        if not canvas.section(kind):
            gaps.append(Gap(f"canvas_rules.gap.empty_{kind}s"))
    for barrier in canvas.barriers:
        if not barrier.category:
            gaps.append(Gap("canvas_rules.gap.barrier_without_category", {"text": _short(barrier.text)}, barrier.id))
    for need in canvas.needs:
        if not need.category:
            gaps.append(Gap("canvas_rules.gap.need_without_category", {"text": _short(need.text)}, need.id))
        if not need.leads:
            gaps.append(Gap("canvas_rules.gap.need_without_lead", {"text": _short(need.text)}, need.id))
        for lead in need.leads:
            if not lead.resources:
                gaps.append(Gap("canvas_rules.gap.lead_without_resource",
                                {"text": _short(lead.text), "need": _short(need.text)}, lead.id))
    return gaps


def is_complete(canvas: Canvas) -> bool:
    """True when nothing is missing: every section filled, every need led to a resource."""
    return not missing(canvas)
