"""The board's category sets. An event chooses one as its template: ``plain`` (a few neutral
categories, labels translated through ``flow.category.<code>``) or ``partners_day`` (the successes'
and challenges' categories of the Partner's Day 2024 report, shown as written in the report)."""
from __future__ import annotations

from dataclasses import dataclass

from core.setup import demo_data as D

BOARD_KINDS = ("finding", "success", "challenge", "solution_idea")   # stage 1
CLOSING_KINDS = ("finding", "wish")                                  # closing round
PLAIN_CATEGORIES = ("people", "practices", "network", "framework", "means", "other")
CLOSING_CATEGORY = "closing"


@dataclass(frozen=True)
class CategoryTemplate:
    key: str
    label_key: str
    kinds: dict[str, tuple[str, ...]]      # board kind -> its categories
    closing: dict[str, tuple[str, ...]]    # closing-round kind -> its categories


TEMPLATES: dict[str, CategoryTemplate] = {
    "plain": CategoryTemplate(
        "plain", "flow.template.plain",
        {kind: PLAIN_CATEGORIES for kind in BOARD_KINDS},
        {"finding": (CLOSING_CATEGORY,), "wish": (CLOSING_CATEGORY,)}),
    "partners_day": CategoryTemplate(
        "partners_day", "flow.template.partners_day",
        {"success": tuple(D.PARTNERS_DAY_SUCCESS_CATEGORIES),
         "challenge": tuple(D.PARTNERS_DAY_CHALLENGE_CATEGORIES),
         "finding": tuple(D.PARTNERS_DAY_CHALLENGE_CATEGORIES),
         "solution_idea": tuple(D.PARTNERS_DAY_CHALLENGE_CATEGORIES)},
        {"finding": ("Des constats", "Bilan"), "wish": ("Des souhaits",)}),
}


def template(key: str | None) -> CategoryTemplate:
    return TEMPLATES.get(key or "plain", TEMPLATES["plain"])


def category_label_key(value: str) -> str | None:
    """The message key of a template category code, or None when the category is shown as stored
    (the Partner's Day categories are the report's own words)."""
    if value in PLAIN_CATEGORIES or value == CLOSING_CATEGORY:
        return f"flow.category.{value}"
    return None


def categories_for(template_key: str | None, kind: str, closing: bool = False) -> tuple[str, ...]:
    tpl = template(template_key)
    return (tpl.closing if closing else tpl.kinds).get(kind, ())
