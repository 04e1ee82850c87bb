"""Demo data from the source documents, the command line and the schema."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.personas.canvas import get_canvas, list_personas
from core.reporting.stats import counts
from core.setup import demo_data as D
from core.setup.events import list_events
from core.setup.seed import seed_demo
from storage import db
from storage.models import Base

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_create_exactly_the_models(database):
    with db.get_engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_seed_twice_gives_the_same_content(database):
    seed_demo()
    first = counts()
    report = seed_demo()
    assert report["created"] == []
    assert counts() == first
    assert first["events"] == 2 and first["resources"] >= 40


def test_assises_programme_is_loaded_with_its_dated_sessions(seeded):
    assises = counts("assises-logement-travail-social")
    assert (assises["themes"], assises["sessions"]) == (3, 9)
    event = next(ev for ev in list_events() if ev.slug == "assises-logement-travail-social")
    assert [t.title for t in event.themes][0] == "L'utilisateur et son habitat au centre des préoccupations"
    first = event.themes[0].sessions[0]
    assert (first.starts_at.isoformat(), first.ends_at.isoformat()) == ("2023-11-16T13:00:00", "2023-11-16T16:30:00")
    assert all(t.why for t in event.themes)


def test_six_personas_have_every_section_and_linked_leads(seeded):
    event = next(ev for ev in list_events() if ev.slug == "partners-day-2024")
    personas = list_personas(event.sessions[0].id)
    assert [p.name for p in personas] == ["Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"]
    source = {p["name"]: p for p in D.PARTNERS_DAY["personas"]}
    for card in personas:
        canvas = get_canvas(card.id)
        expected = source[card.name]
        assert canvas.barriers and canvas.motivations and canvas.skills and canvas.needs, card.name
        assert [b.text for b in canvas.barriers] == [b["text"] for b in expected["barriers"]]
        assert len(canvas.needs) == len(expected["needs"])
        for need, src_need in zip(canvas.needs, expected["needs"]):
            assert [ld.text for ld in need.leads] == [ld["text"] for ld in src_need["leads"]]
            for lead, src_lead in zip(need.leads, src_need["leads"]):
                # every lead whose source names a service is linked to it
                assert len(lead.resources) == len(set(src_lead["resources"])), (card.name, lead.text)
    linked = sum(1 for p in D.PARTNERS_DAY["personas"] for n in p["needs"] for ld in n["leads"] if ld["resources"])
    total = sum(1 for p in D.PARTNERS_DAY["personas"] for n in p["needs"] for ld in n["leads"])
    assert linked >= total - 1


def _manage(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATELIER_DATABASE_URL": url}
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_command_line_init_seed_stats_twice_is_identical(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    outputs = []
    for _ in range(2):
        assert _manage("init-db", url=url).returncode == 0
        assert _manage("seed-demo", url=url).returncode == 0
        result = _manage("stats", "--json", url=url)
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0]["events"] == 2 and outputs[0]["personas"] == 6
    listed = json.loads(_manage("list-events", "--json", url=url).stdout)
    assert {e["slug"] for e in listed} == {"assises-logement-travail-social", "partners-day-2024"}
    assert all(e["title"] and e["starts_on"] for e in listed)
    per_event = json.loads(_manage("stats", "--event", "partners-day-2024", "--json", url=url).stdout)
    assert per_event["events"] == 1 and per_event["personas"] == 6 and per_event["sessions"] == 1


def test_command_line_errors_are_one_line_and_non_zero(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    _manage("init-db", url=url)
    result = _manage("stats", "--event", "no-such-event", "--json", url=url)
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "no-such-event" in result.stderr
