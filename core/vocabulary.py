"""The domain's vocabulary: the fixed lists of stages, statuses, kinds, levels and categories.

Values are the stable keys stored in the database and used in code; what a user reads comes
from the catalogs (``t("stage.diagnostic")`` ...). Pages, core and storage-free tools import them
from here."""
from __future__ import annotations

STAGES = ("diagnostic", "recommendations", "implementation")
SESSION_STATUSES = ("planned", "open", "closed")
ROLES = ("admin", "organiser", "facilitator")
CANVAS_KINDS = ("barrier", "motivation", "skill", "need")
BARRIER_NATURES = ("objective", "subjective")
CONTRIBUTION_KINDS = ("finding", "success", "challenge", "solution_idea", "wish")
POWER_LEVELS = ("communal", "regional", "community", "federal", "european")
MOOD_MOMENTS = ("before", "after")
WEATHERS = ("sunny", "partly_cloudy", "cloudy", "rainy", "stormy")
REGISTRATION_STATUSES = ("confirmed", "waiting", "cancelled")
VOTE_STATUSES = ("none", "open", "closed")
CATEGORIES = (
    "housing", "health", "mental_health", "addiction", "language", "training", "employment",
    "justice", "money_debt", "digital", "isolation", "family_childcare", "residence_admin",
    "mobility", "discrimination", "other",
)
