"""Alembic environment: the URL and engine come from storage.db."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from storage import db
from storage.models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=db.database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite alters most tables by copying them (Alembic's batch mode): the old table is dropped,
    and with foreign keys on, dropping it deletes every row that refers to it (ON DELETE CASCADE),
    e.g. the whole content of an event when ``events`` is copied. Foreign keys are switched off
    around the migration (outside any transaction: SQLite ignores the pragma inside one)."""
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        cursor.close()


def _migrate(connection: Connection) -> None:
    _sqlite_foreign_keys(connection, False)
    try:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        if connection.in_transaction():
            connection.commit()
    finally:
        _sqlite_foreign_keys(connection, True)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = db.get_engine().execution_options(atelier_write=True)
    with engine.connect() as connection:
        _migrate(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
