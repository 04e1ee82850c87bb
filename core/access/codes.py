"""Join codes: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L)."""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import limits as L
from storage import models as m


def new_code() -> str:
    return "".join(secrets.choice(L.JOIN_CODE_ALPHABET) for _ in range(L.JOIN_CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What a person typed, as a code: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def code_in_use(s: Session, code: str) -> bool:
    live_session = s.execute(
        select(m.WorkshopSession.id).where(m.WorkshopSession.join_code == code, m.WorkshopSession.status != "closed")
    ).first()
    if live_session:
        return True
    sub = s.execute(
        select(m.Subgroup.id).join(m.WorkshopSession, m.WorkshopSession.id == m.Subgroup.session_id)
        .where(m.Subgroup.join_code == code, m.WorkshopSession.status != "closed")
    ).first()
    return sub is not None


def unique_code(s: Session) -> str:
    for _ in range(100):
        code = new_code()
        if not code_in_use(s, code):
            return code
    raise RuntimeError("no free join code")  # 31^6 ≈ 887 million codes: never reached in practice
