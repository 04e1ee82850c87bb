"""Core errors. Each carries a translatable message key and its parameters; pages translate them
with ``t(err.key, **err.params)`` and show them next to the field named by ``err.field``."""
from __future__ import annotations

from typing import Any


class AtelierError(Exception):
    key = "error.generic"

    def __init__(self, key: str | None = None, *, field: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.field = field
        self.params = params
        super().__init__(f"{self.key} {field or ''} {params}".strip())


class ValidationError(AtelierError):
    key = "error.invalid"


class NotFound(AtelierError):
    key = "error.not_found"


class PermissionDenied(AtelierError):
    key = "error.permission_denied"


class Conflict(AtelierError):
    key = "error.conflict"


class StaleEdit(AtelierError):
    """Someone changed the row since the user saw it. ``current`` holds the other version."""

    key = "error.stale_edit"

    def __init__(self, current: dict[str, Any], **params: Any) -> None:
        self.current = current
        super().__init__(self.key, **params)


class StorageUnavailable(AtelierError):
    """The database cannot be reached or written for a moment (server stopped or restarting, a
    dropped connection, an SQLite file locked, read-only or failing). Raised by every engine of
    ``storage.db`` instead of the driver's error; the write it interrupted left nothing behind, and
    the same action works again once the database is back."""

    key = "error.storage_unavailable"
