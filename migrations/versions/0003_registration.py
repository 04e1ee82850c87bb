"""registration: participants per event with their language; outbox per event and person, with an attachment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lang', sa.String(length=5), nullable=False, server_default='fr'))
        batch_op.create_index(batch_op.f('ix_participants_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_participants_event_id_events'), 'events', ['event_id'], ['id'],
                                    ondelete='CASCADE')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('participant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attachment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=300), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_outbox_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_participant_id'), ['participant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_event_id_events'), 'events', ['event_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_outbox_participant_id_participants'), 'participants',
                                    ['participant_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_participant_id_participants'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outbox_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_participant_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_event_id'))
        batch_op.drop_column('last_error')
        batch_op.drop_column('attachment')
        batch_op.drop_column('attachment_name')
        batch_op.drop_column('participant_id')
        batch_op.drop_column('event_id')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participants_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_participants_event_id'))
        batch_op.drop_column('lang')
        batch_op.drop_column('event_id')
