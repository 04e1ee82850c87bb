"""Whole-database backup to JSON and restore into an empty, migrated database.

Generic over ``storage.models.Base.metadata.sorted_tables``: a table added to the models is backed
up without touching this file. The file records the Alembic revision of the schema it came from;
a restore needs a database migrated to that same revision (``manage.py restore`` migrates an
empty database to it, restores, then upgrades to head so later migrations carry the data over).

Values are JSON: dates and times as ISO 8601 text, JSON columns as they are, rows ordered by
primary key, so two backups of the same content are identical apart from ``created_at``.
Restoring runs in one transaction: rows go in table by table in dependency order (a column that
points to its own table, such as ``merged_into_id``, is filled in a second pass); on PostgreSQL
the id sequences are then moved past the restored ids so new rows get fresh ids. Rows are written
into the tables and columns the target database has (read from it, not from the models): a backup
of an older revision goes into a database at that revision although the models have grown since
(new tables, new columns with defaults), and the upgrade that follows carries the data over.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, MetaData, Table, bindparam, func, inspect, select, text, update
from sqlalchemy.engine import Connection

from core.errors import Conflict, ValidationError
from storage import db
from storage.models import Base

FORMAT = "atelier-backup"
FORMAT_VERSION = 1
CHUNK = 2_000


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _decoder(table: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.columns:
        if isinstance(col.type, DateTime):
            out[col.name] = dt.datetime.fromisoformat
        elif isinstance(col.type, Date):
            out[col.name] = dt.date.fromisoformat
    return out


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is migrated to (None: not migrated)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def backup_data() -> dict[str, Any]:
    """The whole database as a JSON-ready dict."""
    tables: dict[str, Any] = {}
    with db.get_engine().connect() as conn:
        revision = schema_revision(conn)
        for table in _tables():
            columns = [c.name for c in table.columns]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            tables[table.name] = {"columns": columns, "rows": [[_encode(v) for v in row] for row in rows]}
    return {"format": FORMAT, "version": FORMAT_VERSION, "schema_revision": revision,
            "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), "tables": tables}


def write_backup(path: str | Path) -> dict[str, int]:
    """Write the backup file; returns the number of rows per table."""
    data = backup_data()
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.unlink(missing_ok=True)
    # owner-only (0600): the backup holds staff password hashes and personal data
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
    tmp.replace(path)
    return {name: len(t["rows"]) for name, t in data["tables"].items()}


def read_backup(path: str | Path) -> dict[str, Any]:
    try:
        with Path(path).open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError("error.backup_unreadable", field="in", detail=type(exc).__name__) from None


def _check(data: Any) -> dict[str, Table]:
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise ValidationError("error.backup_not_a_backup", field="in")
    if data.get("version") != FORMAT_VERSION:
        raise ValidationError("error.backup_version", field="in", version=str(data.get("version")))
    known = {t.name: t for t in _tables()}
    for name, content in data["tables"].items():
        table = known.get(name)
        if table is None:
            raise ValidationError("error.backup_unknown_table", field="in", table=name)
        if not isinstance(content, dict) or not isinstance(content.get("rows"), list):
            raise ValidationError("error.backup_not_a_backup", field="in")
        unknown = set(content.get("columns") or []) - {c.name for c in table.columns}
        if unknown:
            raise ValidationError("error.backup_unknown_column", field="in", table=name, column=sorted(unknown)[0])
    return known


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _fix_sequences(conn: Connection, tables: Iterable[Table] | None = None) -> None:
    """PostgreSQL: move each id sequence past the largest restored id (of ``tables``, default every
    table of the models: bench/generate_data.py calls it so after its bulk inserts)."""
    for table in _tables() if tables is None else tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                           {"t": table.name, "c": pk[0].name}).scalar_one_or_none()
        if seq is None:
            continue
        top = conn.execute(select(func.max(pk[0]))).scalar_one_or_none()
        conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                     {"s": seq, "v": top if top is not None else 1, "called": top is not None})


def restore_data(data: dict[str, Any]) -> dict[str, int]:
    """Load a backup into this database, which must be migrated to the backup's revision and empty.
    All or nothing: on any error nothing is written."""
    known = _check(data)
    counts: dict[str, int] = {}
    with db.get_engine().execution_options(atelier_write=True).begin() as conn:
        revision = schema_revision(conn)
        if revision is None:
            raise Conflict("error.backup_target_not_migrated", field="database")
        if data.get("schema_revision") and data["schema_revision"] != revision:
            raise Conflict("error.backup_schema_mismatch", field="in", backup=str(data["schema_revision"]),
                           database=revision)
        present = MetaData()
        present.reflect(conn, only=[name for name in known if inspect(conn).has_table(name)])
        for name, content in data["tables"].items():
            unknown = set(content.get("columns") or []) - set(present.tables[name].columns.keys()) \
                if name in present.tables else ({"*"} if content["rows"] else set())
            if unknown:   # the database is not at the backup's revision after all
                raise Conflict("error.backup_schema_mismatch", field="in", backup=str(data.get("schema_revision")),
                               database=revision)
        for table in present.tables.values():
            if conn.execute(select(func.count()).select_from(table)).scalar_one():
                raise Conflict("error.backup_target_not_empty", field="database", table=table.name)
        for model in _tables():
            if model.name not in present.tables:
                continue
            table = present.tables[model.name]   # as the database has it: no column it lacks, no model default
            content = data["tables"].get(table.name)
            if not content or not content["rows"]:
                counts[table.name] = 0
                continue
            columns = content["columns"]
            decode = _decoder(model)
            self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            rows: list[dict[str, Any]] = []
            for raw in content["rows"]:
                if len(raw) != len(columns):
                    raise ValidationError("error.backup_not_a_backup", field="in")
                row = {}
                for name, value in zip(columns, raw):
                    if value is not None and name in decode:
                        try:
                            value = decode[name](value)
                        except (TypeError, ValueError):
                            raise ValidationError("error.backup_bad_value", field="in", table=table.name,
                                                  column=name) from None
                    row[name] = value
                rows.append(row)
            later = [(r, {c: r[c] for c in self_refs if r.get(c) is not None}) for r in rows] if self_refs else []
            for chunk in _chunks([{**r, **{c: None for c in self_refs}} if self_refs else r for r in rows]):
                conn.execute(table.insert(), chunk)
            pending = [(r, vals) for r, vals in later if vals]
            if pending:
                pk = list(table.primary_key.columns)
                for col in self_refs:
                    params = [{**{f"_pk_{k.name}": r[k.name] for k in pk}, f"_v_{col}": vals[col]}
                              for r, vals in pending if col in vals]
                    if params:
                        stmt = update(table).where(*(k == bindparam(f"_pk_{k.name}") for k in pk)).values(
                            {col: bindparam(f"_v_{col}")})
                        conn.execute(stmt, params)
            counts[table.name] = len(rows)
        if conn.dialect.name == "postgresql":
            _fix_sequences(conn, present.tables.values())
    return counts


def restore_file(path: str | Path) -> dict[str, int]:
    return restore_data(read_backup(path))


__all__ = ["FORMAT", "FORMAT_VERSION", "backup_data", "read_backup", "restore_data", "restore_file",
           "schema_revision", "write_backup"]
