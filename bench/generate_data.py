#!/usr/bin/env python3
"""Generate a large, realistic Atelier database for the benchmarks (numbers, not pass/fail).

Default size (see bench/README.md): 100 events x 3 themes x 3 sessions, 6 sub-groups a session,
2,000 personas, 100,000 canvas items, ~30,000 solution leads with their resources, 20,000 board
contributions, 5,000 recommendations with their trail and ~15,000 dots, ~2,000 implementation
plans, 4,000 participants with ~27,000 registrations, ~36,000 mood checks.

Wordings mix a shared vocabulary (the Partner's Day barriers and needs, with spelling variants so
the near-duplicate grouping has work) and free text, as participants type it. Rows are inserted
with SQLAlchemy Core in bulk, outside the write path (no activity rows): this measures reading.
Deterministic for a given --seed.

    .venv/bin/python bench/generate_data.py --database sqlite:////tmp/atelier-bench.db
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

from core import vocabulary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "sqlite:////tmp/atelier-bench.db"
WORDS = ("accès", "logement", "emploi", "formation", "santé", "réseau", "famille", "dettes", "langue", "papiers",
         "transport", "confiance", "horaires", "garde", "numérique", "revenu", "isolement", "démarches", "stress",
         "mobilité", "CPAS", "orientation", "stage", "diplôme", "bénévolat", "quartier", "acteur·rice·s", "accueil")


def _variant(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.70:
        return text
    if roll < 0.80:
        return text.lower()
    if roll < 0.88:
        return text + " !"
    if roll < 0.94:
        return text.replace("é", "e").replace("è", "e")
    return text + "s" if not text.endswith("s") else text[:-1]


def _free_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize()


def generate(url: str, events: int = 100, personas: int = 2_000, items: int = 100_000,
             recommendations: int = 5_000, seed: int = 7, fresh: bool = True) -> dict[str, int]:
    from sqlalchemy import insert

    from core.setup import demo_data as D
    from manage import upgrade_to_head
    from storage import db
    from storage import models as m

    if url.startswith("sqlite:///") and fresh:
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db.configure(url)
    upgrade_to_head()
    rng = random.Random(seed)
    now = dt.datetime(2025, 1, 1)
    barrier_vocab = [(b["text"], b["nature"], b["category"]) for p in D.PARTNERS_DAY["personas"] for b in p["barriers"]]
    need_vocab = [(n["text"], n["category"]) for p in D.PARTNERS_DAY["personas"] for n in p["needs"]]
    other_vocab = [t for p in D.PARTNERS_DAY["personas"] for t in p["motivations"] + p["skills"]]
    contrib_vocab = [(c["kind"], c["category"], c["text"]) for c in D.PARTNERS_DAY["contributions"]]
    cats = list(vocabulary.CATEGORIES)
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, **values: Any) -> int:
        bucket = rows.setdefault(table, [])
        values.setdefault("id", len(bucket) + 1)
        bucket.append(values)
        return values["id"]

    for i in range(300):
        add("resources", acronym=f"R{i:03d}", name=f"Service {i} — {rng.choice(WORDS)}", category=cats[i % len(cats)],
            description=_free_text(rng), extra={}, version=1, created_at=now)
    session_ids: list[int] = []
    session_event: dict[int, int] = {}
    subgroups: dict[int, list[int]] = {}
    for e in range(1, events + 1):
        start = dt.date(2023, 1, 1) + dt.timedelta(days=7 * e)
        add("events", slug=f"bench-{e:03d}", title=f"Événement de test n° {e} des acteur·rice·s",
            organisers="Fédération des acteur·rice·s", place="Bruxelles", description=_free_text(rng),
            starts_on=start, ends_on=start + dt.timedelta(days=60), participant_cap=40, per_org_cap=2,
            category_template="plain", languages="fr,en,nl", registration_open=False, version=1, created_at=now)
        for t in range(3):
            theme = add("themes", event_id=e, position=t, title=f"Thématique {t + 1} : {_free_text(rng)}"[:200],
                        why=_free_text(rng), version=1, created_at=now)
            for k in range(3):
                when = dt.datetime.combine(start + dt.timedelta(days=21 * k + 7 * t), dt.time(9))
                sid = add("sessions", theme_id=theme, title="", starts_at=when, ends_at=when + dt.timedelta(hours=3),
                          stage="implementation", status="closed", join_code=None, contributions_open=False,
                          contributions_hidden=False, timer_duration_s=0, timer_remaining_s=0, prompts={},
                          projector_view="feed", vote_status="closed", vote_dots=3, vote_multi=False,
                          votes_revealed=True, version=1, created_at=now)
                session_ids.append(sid)
                session_event[sid] = e
                subgroups[sid] = [add("subgroups", session_id=sid, position=g, name=f"Sous-groupe {g + 1}",
                                      version=1, created_at=now) for g in range(6)]
    # personas and canvases
    per_persona = items // personas
    need_ids_by_session: dict[int, list[int]] = {}
    persona_by_session: dict[int, list[int]] = {}
    for p in range(personas):
        sid = session_ids[p % len(session_ids)]
        pid = add("personas", session_id=sid, subgroup_id=subgroups[sid][p % 6], name=rng.choice(
            ("Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia", "Chloé", "Jérôme", "Aïcha", "Noël")) + f" {p}",
            age=rng.randint(18, 70), origin="Belgique", facts=[_free_text(rng), _free_text(rng)], note="",
            open_to_all=False, template_key="", version=1, created_at=now)
        persona_by_session.setdefault(sid, []).append(pid)
        n_barriers, n_needs = int(per_persona * 0.3), int(per_persona * 0.3)
        n_other = per_persona - n_barriers - n_needs
        for _ in range(n_barriers):
            if rng.random() < 0.5:
                text, nature, cat = rng.choice(barrier_vocab)
                text = _variant(rng, text)
            else:
                text, nature, cat = _free_text(rng), rng.choice(("objective", "subjective")), rng.choice(cats)
            add("canvas_items", persona_id=pid, kind="barrier", text=text, nature=nature, category=cat,
                created_by="", version=1, created_at=now)
        for j in range(n_other):
            add("canvas_items", persona_id=pid, kind="motivation" if j % 2 else "skill",
                text=_variant(rng, rng.choice(other_vocab)) if rng.random() < 0.5 else _free_text(rng),
                created_by="", version=1, created_at=now)
        for _ in range(n_needs):
            if rng.random() < 0.5:
                text, cat = rng.choice(need_vocab)
                text = _variant(rng, text)
            else:
                text, cat = _free_text(rng), rng.choice(cats)
            nid = add("canvas_items", persona_id=pid, kind="need", text=text, category=cat, created_by="", version=1,
                      created_at=now)
            need_ids_by_session.setdefault(sid, []).append(nid)
            for _ in range(rng.choice((0, 1, 1, 2))):
                lid = add("solution_leads", need_id=nid, text=_free_text(rng), version=1, created_at=now)
                for rid in rng.sample(range(1, 301), rng.choice((0, 1, 1, 2))):
                    rows.setdefault("lead_resources", []).append({"lead_id": lid, "resource_id": rid,
                                                                  "created_at": now})
    # board
    for c in range(20_000):
        sid = session_ids[c % len(session_ids)]
        kind, category, text = rng.choice(contrib_vocab)
        add("contributions", session_id=sid, subgroup_id=rng.choice(subgroups[sid]), kind=kind, category=category,
            text=_variant(rng, text), created_by="", version=1, created_at=now)
    # recommendations, trail, dots, plans
    for r in range(recommendations):
        sid = session_ids[r % len(session_ids)]
        retained = rng.random() < 0.4
        rec = add("recommendations", session_id=sid, subgroup_id=rng.choice(subgroups[sid]),
                  title=f"Recommandation {r} : {_free_text(rng)}"[:200], text=_free_text(rng) * 3,
                  level=rng.choice(vocabulary.POWER_LEVELS),
                  public=rng.choice(("", "Ministre du Logement", "Collège communal")),
                  retained=retained, version=1, created_at=now)
        needs = need_ids_by_session.get(sid) or []
        if needs:
            add("recommendation_sources", recommendation_id=rec, canvas_item_id=rng.choice(needs))
        if persona_by_session.get(sid):
            add("recommendation_sources", recommendation_id=rec, persona_id=rng.choice(persona_by_session[sid]))
        for _ in range(rng.randint(0, 6)):
            add("votes", session_id=sid, subgroup_id=rng.choice(subgroups[sid]), recommendation_id=rec, created_at=now)
        if retained:
            plan = add("implementation_plans", recommendation_id=rec, session_id=sid, subgroup_id=subgroups[sid][0],
                       who_wants_what=_free_text(rng), people_concerned_view="", try_here_now=_free_text(rng),
                       tried_learned="", version=1, created_at=now)
            for _ in range(rng.randint(1, 3)):
                add("plan_actions", plan_id=plan, action=_free_text(rng), carrier=rng.choice(("", "CPAS", "Commune")),
                    due=rng.choice((None, dt.date(2025, 6, 30))), means=_free_text(rng),
                    indicator=rng.choice(("", "Convention signée")), risks="", version=1, created_at=now)
    # people and moods
    for o in range(400):
        add("organisations", name=f"Organisation {o}", normalized_name=f"organisation {o}",
            sector=rng.choice(("Logement", "Insertion", "Santé", "CPAS", "Formation")), created_at=now)
    for p in range(4_000):
        add("participants", first_name=f"P{p}", last_name="Test", email=f"p{p}@example.org",
            organisation_id=rng.randint(1, 400), sector="", created_at=now)
    for sid in session_ids:
        for pid in rng.sample(range(1, 4_001), 30):
            add("registrations", participant_id=pid, session_id=sid,
                status=rng.choice(("confirmed",) * 8 + ("waiting", "cancelled")),
                present=rng.random() < 0.7, version=1, created_at=now)
        for moment in ("before", "after"):
            for _ in range(20):
                add("mood_checks", session_id=sid, token_id=None, moment=moment,
                    weather=rng.choice(vocabulary.WEATHERS), created_at=now)
    # insert, parents first
    engine = db.get_engine()
    by_name = {t.name: t for t in m.Base.metadata.sorted_tables}
    with engine.execution_options(atelier_write=True).begin() as conn:
        for table in m.Base.metadata.sorted_tables:
            data = rows.get(table.name)
            if not data:
                continue
            names = {c.name for c in table.columns}
            # every row of a bulk insert must carry the same keys
            keys = sorted({k for r in data for k in r} & names)
            batch = [{k: r.get(k) for k in keys} for r in data]
            for start in range(0, len(batch), 5_000):
                conn.execute(insert(by_name[table.name]), batch[start:start + 5_000])
        if conn.dialect.name == "postgresql":
            from core.reporting.backup import _fix_sequences
            _fix_sequences(conn)
    return {name: len(data) for name, data in rows.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_URL, help=f"database URL (default {DEFAULT_URL})")
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--personas", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--recommendations", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    sizes = generate(args.database, args.events, args.personas, args.items, args.recommendations, args.seed)
    for name, count in sorted(sizes.items()):
        print(f"{name:24} {count:>8}")
    print(f"generated in {time.perf_counter() - started:.1f} s into {args.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
