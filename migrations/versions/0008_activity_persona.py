"""per-persona revisions for live views: each activity row names the persona it belongs to (a
canvas row, a need's lead, its partners, the persona card), so a write to one persona's canvas no
longer makes every other canvas of the session redraw (core.session.live.revision(persona=...)).

Existing rows keep no persona (NULL): they are read as "anything in the session", which only
means that views opened before the upgrade redraw once more, never that one misses a change.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 22:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('persona_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('persona_id')
