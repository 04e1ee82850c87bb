"""Whole-database backup and restore: a round trip into an empty database gives the same content
and the same `stats`, on SQLite and PostgreSQL, and from one to the other through the command line."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from core.actor import SYSTEM
from core.entities import create
from core.errors import Conflict, ValidationError
from core.reporting import backup as bk
from core.reporting.stats import counts
from storage import db
from storage import models as m
from storage.models import Base
from tests.test_dashboard import build_rich_event

ROOT = Path(__file__).resolve().parent.parent


def _empty_database() -> None:
    engine = db.get_engine()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))  # sequences back to 1
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


def _content(data: dict) -> dict:
    out = copy.deepcopy(data)
    out.pop("created_at")
    return out


@pytest.fixture
def full(seeded):
    rich = build_rich_event()
    with db.write_session() as s:
        # a row that points forward to a later row of its own table (restored in a second pass)
        old = m.Resource(acronym="VIEUX", name="Ancien service", category="other")
        s.add(old)
        s.flush()
        new = m.Resource(acronym="NEUF", name="Service fusionné", category="other",
                         extra={"note": "Fusionné·e « ici »"})
        s.add(new)
        s.flush()
        old.merged_into_id = new.id
    return rich


def test_backup_then_restore_into_an_empty_database_reproduces_identical_content(full):
    before = bk.backup_data()
    stats = counts()
    per_event = counts(full.slug)
    assert sum(len(t["rows"]) for t in before["tables"].values()) > 500
    assert before["tables"]["activity"]["rows"] and before["schema_revision"]
    _empty_database()
    assert counts()["events"] == 0
    restored = bk.restore_data(json.loads(json.dumps(before)))
    assert restored["canvas_items"] == len(before["tables"]["canvas_items"]["rows"])
    after = bk.backup_data()
    assert _content(after) == _content(before)
    assert counts() == stats and counts(full.slug) == per_event
    with db.read_session() as s:
        old = s.execute(select(m.Resource).where(m.Resource.acronym == "VIEUX")).scalar_one()
        assert s.get(m.Resource, old.merged_into_id).acronym == "NEUF"
        top = s.execute(select(func.max(m.Contribution.id))).scalar_one()
    # new rows get fresh ids (on PostgreSQL the sequences were moved past the restored ids)
    added = create(SYSTEM, "contribution", session_id=full.sessions[0], kind="finding", text="Après restauration")
    assert added["id"] == top + 1


def test_restore_refuses_a_database_that_is_not_empty_and_writes_nothing(full):
    data = bk.backup_data()
    stats = counts()
    with pytest.raises(Conflict) as err:
        bk.restore_data(data)
    assert err.value.key == "error.backup_target_not_empty"
    assert counts() == stats  # nothing duplicated
    assert _content(bk.backup_data()) == _content(data)


def test_a_bad_backup_is_refused_whole(full, tmp_path):
    data = bk.backup_data()
    _empty_database()
    broken = copy.deepcopy(data)
    broken["tables"]["votes"]["rows"][0][broken["tables"]["votes"]["columns"].index("created_at")] = "hier"
    with pytest.raises(ValidationError) as err:
        bk.restore_data(broken)
    assert err.value.key == "error.backup_bad_value" and err.value.params["table"] == "votes"
    assert counts()["events"] == 0  # the tables restored before the bad row were rolled back
    for mutate, key in ((lambda d: d.update(format="other"), "error.backup_not_a_backup"),
                        (lambda d: d.update(version=99), "error.backup_version"),
                        (lambda d: d["tables"].update(secrets={"columns": [], "rows": []}),
                         "error.backup_unknown_table"),
                        (lambda d: d["tables"]["events"]["columns"].append("owner"), "error.backup_unknown_column")):
        bad = copy.deepcopy(data)
        mutate(bad)
        with pytest.raises(ValidationError) as err:
            bk.restore_data(bad)
        assert err.value.key == key
    other = copy.deepcopy(data)
    other["schema_revision"] = "0000_elsewhere"
    with pytest.raises(Conflict) as err:
        bk.restore_data(other)
    assert err.value.key == "error.backup_schema_mismatch"
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        bk.read_backup(not_json)
    assert err.value.key == "error.backup_unreadable"
    assert bk.restore_data(data)["events"] == len(data["tables"]["events"]["rows"])


def test_backup_and_restore_commands_round_trip_into_a_blank_sqlite_file(full, database, tmp_path):
    def manage(url: str, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "ATELIER_DATABASE_URL": url}
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True,
                              env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return done

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    manage(database, "backup", "--out", str(first))
    blank = f"sqlite:///{tmp_path / 'blank.db'}"  # not even migrated: restore creates the schema
    manage(blank, "restore", "--in", str(first))
    assert json.loads(manage(blank, "stats", "--json").stdout) == json.loads(manage(database, "stats", "--json").stdout)
    manage(blank, "backup", "--out", str(second))
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    assert _content(a) == _content(b)
    again = subprocess.run([sys.executable, str(ROOT / "manage.py"), "restore", "--in", str(first)],
                           capture_output=True, text=True, env={**os.environ, "ATELIER_DATABASE_URL": blank},
                           timeout=300)
    assert again.returncode == 2 and "not empty" in again.stderr
