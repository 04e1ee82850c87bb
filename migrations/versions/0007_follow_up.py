"""follow-up after the event: what became of each recommendation (addressee, status, dated answers
of the decision maker with an optional link or document), where each implementation action stands,
the public follow-up page of an event (off by default, an unguessable token), and the closing
summary sent to participants (once; a person may opt out).

Existing data keeps its meaning: no event has a public page, no recommendation has a follow-up
row (read as "not yet sent"), no action has one (read as "not started"), nobody was sent a summary.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_follow_up', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('public_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('booklet_published_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_events_public_token'), ['public_token'])

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('summary_opt_out_at', sa.DateTime(), nullable=True))

    op.create_table('recommendation_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('addressee', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=True),
    sa.Column('status_note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                            name=op.f('fk_recommendation_follow_ups_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendations.id'],
                            name=op.f('fk_recommendation_follow_ups_recommendation_id_recommendations'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_follow_ups')),
    sa.UniqueConstraint('recommendation_id', name=op.f('uq_recommendation_follow_ups_recommendation_id'))
    )
    with op.batch_alter_table('recommendation_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_follow_ups_event_id'), ['event_id'], unique=False)

    op.create_table('follow_up_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('attachment_name', sa.String(length=120), nullable=False),
    sa.Column('attachment_type', sa.String(length=100), nullable=False),
    sa.Column('attachment_size', sa.Integer(), nullable=False),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=False),
    sa.Column('attachment_b64', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['follow_up_id'], ['recommendation_follow_ups.id'],
                            name=op.f('fk_follow_up_answers_follow_up_id_recommendation_follow_ups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_answers'))
    )
    with op.batch_alter_table('follow_up_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_answers_follow_up_id'), ['follow_up_id'], unique=False)

    op.create_table('action_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_action_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'],
                            name=op.f('fk_action_follow_ups_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_action_id'], ['plan_actions.id'],
                            name=op.f('fk_action_follow_ups_plan_action_id_plan_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_follow_ups')),
    sa.UniqueConstraint('plan_action_id', name=op.f('uq_action_follow_ups_plan_action_id'))
    )
    with op.batch_alter_table('action_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_follow_ups_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('action_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_follow_ups_event_id'))
    op.drop_table('action_follow_ups')

    with op.batch_alter_table('follow_up_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_answers_follow_up_id'))
    op.drop_table('follow_up_answers')

    with op.batch_alter_table('recommendation_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_follow_ups_event_id'))
    op.drop_table('recommendation_follow_ups')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('summary_opt_out_at')
        batch_op.drop_column('summary_sent_at')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_public_token'), type_='unique')
        batch_op.drop_column('booklet_published_at')
        batch_op.drop_column('public_token')
        batch_op.drop_column('public_follow_up')
