"""Every limit of the domain in one place."""
from __future__ import annotations

NAME_MAX = 120           # persona first name, sub-group name, people names
TITLE_MAX = 200          # event, theme, session and recommendation titles, resource names
ITEM_MAX = 1_000         # a canvas item, a solution lead, a contribution, a fact
LONG_MAX = 5_000         # descriptions, "why", recommendation text, plan fields
URL_MAX = 500
EMAIL_MAX = 200          # participants.email and users.email are VARCHAR(200)
SLUG_MAX = 80            # an event's name in links (/register?event=SLUG)
PLACE_MAX = 300          # an event's place, a resource's address
ACRONYM_MAX = 40         # a resource's acronym
USERNAME_MAX = 60        # a staff login name (core.access.accounts.USERNAME_RE)
DISPLAY_NAME_MAX = 60    # the first name a participant may give when joining
JOIN_CODE_TYPED_MAX = 12  # a join code as typed, spaces and dashes included (they are dropped)
FACTS_MAX = 30           # situation facts on one identity card
AGE_MIN, AGE_MAX = 0, 120
CAP_MIN, CAP_MAX = 1, 1_000
PER_ORG_CAP_MIN, PER_ORG_CAP_MAX = 1, 100
VOTE_DOTS_MIN, VOTE_DOTS_MAX, VOTE_DOTS_DEFAULT = 1, 12, 3
JOIN_CODE_LENGTH = 6
# no look-alikes: no 0/O, 1/I/L
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SUBGROUP_NAME_MAX = 80   # the subgroups.name column is VARCHAR(80): PostgreSQL refuses more
ID_MAX = 2**31 - 1       # ids are INTEGER columns (PostgreSQL int4); a bigger "id" is no row, never a crash
YEAR_MIN, YEAR_MAX = 1900, 2200   # dates outside are typing mistakes (and would overflow date arithmetic)
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024   # a document attached to a decision maker's answer (stored in the database)
