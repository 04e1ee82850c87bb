"""email and tokens: outbox delivery attempts, back-off and give-up; calendar SEQUENCE per
registration; personal links hashed in their own table (existing links keep working)

Data steps:
- every clear ``participants.personal_token`` becomes a row of ``personal_links`` holding its
  SHA-256 (``core.access.join.hash_token``), then the clear column is emptied: a link already in a
  mailbox still opens the person's page (the page hashes the token of the link and looks it up);
- every confirmed registration of a dated session is marked as holding the calendar of the session
  as it is now (the confirmation email carried it), so that a later change of time or place sends
  those people an update, and this upgrade sends nobody anything.

Downgrade: the personal links cannot be un-hashed; after a downgrade every personal link stops
working (organisers can send new ones).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00

"""
import datetime as dt
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_participants = sa.table('participants', sa.column('id', sa.Integer), sa.column('personal_token', sa.String),
                         sa.column('created_at', sa.DateTime))
_links = sa.table('personal_links', sa.column('participant_id', sa.Integer), sa.column('token_hash', sa.String),
                  sa.column('created_at', sa.DateTime))
_registrations = sa.table('registrations', sa.column('id', sa.Integer), sa.column('session_id', sa.Integer),
                          sa.column('status', sa.String), sa.column('calendar_sent', sa.String))
_sessions = sa.table('sessions', sa.column('id', sa.Integer), sa.column('theme_id', sa.Integer),
                     sa.column('starts_at', sa.DateTime), sa.column('ends_at', sa.DateTime),
                     sa.column('deleted_at', sa.DateTime))
_themes = sa.table('themes', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer))
_events = sa.table('events', sa.column('id', sa.Integer), sa.column('place', sa.String))


def hash_token(token: str) -> str:
    """As ``core.access.join.hash_token`` (frozen here: a migration never changes with the code)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def calendar_fingerprint(starts_at: dt.datetime, ends_at: dt.datetime | None, place: str) -> str:
    """As ``core.signup.invitations.calendar_fingerprint`` at this revision."""
    text = "|".join([starts_at.isoformat(), ends_at.isoformat() if ends_at else "", place or ""])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def hash_personal_tokens(conn: sa.Connection) -> int:
    """Move every clear personal token into ``personal_links``, hashed; returns how many."""
    rows = conn.execute(sa.select(_participants.c.id, _participants.c.personal_token, _participants.c.created_at)
                        .where(_participants.c.personal_token.is_not(None))).all()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    links = [{"participant_id": pid, "token_hash": hash_token(token), "created_at": created or now}
             for pid, token, created in rows if token]
    if links:
        conn.execute(_links.insert(), links)
    conn.execute(sa.update(_participants).where(_participants.c.personal_token.is_not(None))
                 .values(personal_token=None))
    return len(links)


def mark_calendars_sent(conn: sa.Connection) -> int:
    rows = conn.execute(
        sa.select(_registrations.c.id, _sessions.c.starts_at, _sessions.c.ends_at, _events.c.place)
        .select_from(_registrations.join(_sessions, _sessions.c.id == _registrations.c.session_id)
                     .join(_themes, _themes.c.id == _sessions.c.theme_id)
                     .join(_events, _events.c.id == _themes.c.event_id))
        .where(_registrations.c.status == 'confirmed', _sessions.c.starts_at.is_not(None),
               _sessions.c.deleted_at.is_(None))).all()
    for reg_id, starts_at, ends_at, place in rows:
        conn.execute(sa.update(_registrations).where(_registrations.c.id == reg_id)
                     .values(calendar_sent=calendar_fingerprint(starts_at, ends_at, place)))
    return len(rows)


def upgrade() -> None:
    # add_column only: SQLite alters these tables in place (no rebuild)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=False, server_default=''))

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('calendar_sent', sa.String(length=40), nullable=False, server_default=''))

    op.create_table('personal_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                            name=op.f('fk_personal_links_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_personal_links_token_hash'))
    )
    with op.batch_alter_table('personal_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_links_participant_id'), ['participant_id'], unique=False)

    conn = op.get_bind()
    hash_personal_tokens(conn)
    mark_calendars_sent(conn)


def downgrade() -> None:
    with op.batch_alter_table('personal_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_links_participant_id'))
    op.drop_table('personal_links')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('calendar_sent')
        batch_op.drop_column('calendar_sequence')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('message_id')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
