"""When two canvas wordings say the same thing: one measure for the dashboard (which groups the
recurrent barriers and needs of many personas) and the canvas (which asks before a sub-group
adds a second "Garde d'enfants" to the same persona).

A wording is folded (case, accents, punctuation) and its words are sorted; two folded wordings
are the same when equal, and near duplicates when rapidfuzz's ``fuzz.ratio`` between them is at
least ``SIMILARITY_THRESHOLD`` (so, on the original text, a token sort ratio)."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from rapidfuzz import fuzz

__all__ = ["SIMILARITY_THRESHOLD", "near_duplicates", "normalise_wording", "similarity"]

# Near-duplicate wordings: token sort ratio on accent- and case-folded text, at least this score.
SIMILARITY_THRESHOLD = 85

_NOT_WORD = re.compile(r"[\W_]+")
T = TypeVar("T")


@functools.lru_cache(maxsize=200_000)  # a pure function of the text: memoised, no data is cached
def normalise_wording(text: str) -> str:
    """Case-, accent- and punctuation-folded wording with its words sorted: two wordings with the
    same key are the same; near keys (``fuzz.ratio``) are near duplicates (token sort ratio)."""
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode("ascii")
    return " ".join(sorted(_NOT_WORD.sub(" ", folded).split())) or text.casefold().strip()


def similarity(a: str, b: str) -> float:
    """How close two wordings are, 0-100 (100: the same once folded)."""
    return fuzz.ratio(normalise_wording(a), normalise_wording(b))


def near_duplicates(text: str, candidates: Iterable[tuple[T, str]],
                    threshold: int = SIMILARITY_THRESHOLD) -> list[T]:
    """The candidates (``(what, wording)`` pairs) whose wording is a near duplicate of ``text``,
    closest first. An empty text has none."""
    key = normalise_wording(text or "")
    if not key.strip():
        return []
    scored = []
    for index, (what, wording) in enumerate(candidates):
        score = fuzz.ratio(key, normalise_wording(wording or ""), score_cutoff=threshold)
        if score >= threshold:
            scored.append((-score, index, what))
    return [what for _score, _index, what in sorted(scored, key=lambda x: (x[0], x[1]))]
