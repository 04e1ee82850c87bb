"""theme process and territory: sessions say which stages they cover; canvas items and solution
leads say on which dated session they were added; a persona can be picked up by a sub-group of a
later session of its theme; events choose a territory and their levels of power; resources carry
a territory. A facilitator's console remembers the session it has open (``console_focus``), so a
projector opened in another window or on another screen follows it.

Existing data keeps its meaning: an event without a territory is Belgian (Brussels) with the five
Belgian levels, a session without stages covers what its position in the theme gives it, an item
without a session was added in its persona's own session, a resource without territory is offered
everywhere.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:50:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERIC_RESOURCES = ("Banques", "Entreprises", "Intérim (agences)", "Bénévolat (volontariat)", "Mentorat")


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory', sa.String(length=20), nullable=False, server_default='be-bru'))
        batch_op.add_column(sa.Column('power_levels', sa.JSON(), nullable=True))

    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_resources_territory'), ['territory'], unique=False)

    # the inventory was one Brussels list until now: its services become Brussels ones, except the
    # generic entries the seed leaves valid everywhere (core/setup/seed.py, frozen here)
    resources = sa.table('resources', sa.column('name', sa.String), sa.column('territory', sa.String))
    op.execute(sa.update(resources).where(resources.c.territory.is_(None),
                                          resources.c.name.not_in(GENERIC_RESOURCES)).values(territory='be-bru'))

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stages', sa.JSON(), nullable=True))

    with op.batch_alter_table('canvas_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_canvas_items_session_id_sessions'), 'sessions',
                                    ['session_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('solution_leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_solution_leads_session_id_sessions'), 'sessions',
                                    ['session_id'], ['id'], ondelete='SET NULL')

    op.create_table('persona_pickups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('persona_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('subgroup_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['persona_id'], ['personas.id'],
                            name=op.f('fk_persona_pickups_persona_id_personas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'],
                            name=op.f('fk_persona_pickups_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subgroup_id'], ['subgroups.id'],
                            name=op.f('fk_persona_pickups_subgroup_id_subgroups'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persona_pickups')),
    sa.UniqueConstraint('persona_id', 'session_id', name=op.f('uq_persona_pickups_persona_id'))
    )
    with op.batch_alter_table('persona_pickups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persona_pickups_session_id'), ['session_id'], unique=False)

    op.create_table('console_focus',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'],
                            name=op.f('fk_console_focus_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_console_focus_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_console_focus'))
    )


def downgrade() -> None:
    op.drop_table('console_focus')

    with op.batch_alter_table('persona_pickups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persona_pickups_session_id'))
    op.drop_table('persona_pickups')

    with op.batch_alter_table('solution_leads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_solution_leads_session_id_sessions'), type_='foreignkey')
        batch_op.drop_column('session_id')

    with op.batch_alter_table('canvas_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_canvas_items_session_id_sessions'), type_='foreignkey')
        batch_op.drop_column('session_id')

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('stages')

    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_territory'))
        batch_op.drop_column('territory')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('power_levels')
        batch_op.drop_column('territory')
