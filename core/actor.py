"""Who is acting: a staff user, a participant's browser token, or the system (command line)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    kind: str                      # "staff" | "participant" | "system" | "anonymous"
    id: int | None = None          # user id or participant token id
    label: str = ""
    role: str | None = None        # staff role: admin / organiser / facilitator
    session_id: int | None = None  # participant: the session joined
    subgroup_id: int | None = None # participant: the sub-group joined
    event_ids: frozenset[int] = field(default_factory=frozenset)  # staff: events they are attached to

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_participant(self) -> bool:
        return self.kind == "participant"


SYSTEM = Actor(kind="system", label="system")
ANONYMOUS = Actor(kind="anonymous", label="")   # nobody signed in: core.permissions grants it nothing to write
