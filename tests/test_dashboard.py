"""Organiser dashboard: every figure from core.reporting.dashboard, checked against data we wrote, on SQLite
and PostgreSQL; the page itself with AppTest (same numbers as `manage.py stats --json`)."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core import entities as e
from core import vocabulary
from core.actor import SYSTEM, Actor
from core.errors import ValidationError
from core.reporting import dashboard as d
from core.reporting.stats import counts
from core.setup import demo_data as D
from core.setup.events import add_session_in, add_subgroup_in, create_event_in
from storage import db
from storage import models as m

ROOT = Path(__file__).resolve().parent.parent
PD = "partners-day-2024"


# --- a complete event: personas, findings, recommendations, votes, plans, people, moods -------

@dataclass
class Rich:
    event_id: int = 0
    slug: str = "assises-test"
    themes: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    recs: dict[str, int] = field(default_factory=dict)
    personas: dict[str, int] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)


REC_TITLES = ("Créer un guichet unique pour les acteur·rice·s du logement",
              "Former les travailleur·euse·s sociaux·ales au « Logement d’abord »",
              "Financer l’accompagnement des sortant·e·s de prison")


def build_rich_event(slug: str = "assises-test") -> Rich:
    """An event with two themes, three sessions and everything the dashboard counts."""
    r = Rich(slug=slug)
    with db.write_session() as s:
        ev = create_event_in(s, SYSTEM, slug=slug, title="Assises de test des acteur·rice·s",
                             organisers="Fédération des acteur·rice·s sociaux·ales", place="Bruxelles",
                             starts_on=dt.date(2024, 3, 1), ends_on=dt.date(2024, 3, 15))
        r.event_id = ev.id
        for pos, (title, why) in enumerate((("Logement d’abord", "Parce que le logement est la base de tout."),
                                            ("Sortie de prison", "Préparer la sortie, c’est éviter la rue."))):
            r.themes.append(e.create_in(s, SYSTEM, "theme", event_id=ev.id, title=title, why=why, position=pos).id)
        s1 = add_session_in(s, SYSTEM, r.themes[0], "2024-03-01T09:00", "2024-03-01T12:30")
        s2 = add_session_in(s, SYSTEM, r.themes[0], "2024-03-08T09:00", "2024-03-08T12:30")
        s3 = add_session_in(s, SYSTEM, r.themes[1], "2024-03-15T13:00", "2024-03-15T16:30")
        r.sessions = [s1.id, s2.id, s3.id]
        g1, g2 = add_subgroup_in(s, SYSTEM, s1.id, "Table 1"), add_subgroup_in(s, SYSTEM, s1.id, "Table 2")
        g3 = add_subgroup_in(s, SYSTEM, s3.id, "Table A")
        cpas = e.create_in(s, SYSTEM, "resource", acronym="CPAS", name="Centre public d’action sociale",
                           category="money_debt", description="Aide sociale de la commune.")
        ais = e.create_in(s, SYSTEM, "resource", acronym="AIS", name="Agence immobilière sociale", category="housing")
        e.create_in(s, SYSTEM, "resource", acronym="", name="Ressource jamais utilisée", category="other")

        def persona(session_id: int, group_id: int, name: str, barriers, needs) -> None:
            p = e.create_in(s, SYSTEM, "persona", session_id=session_id, subgroup_id=group_id, name=name, age=33,
                            origin="Belgique", facts=[f"{name} cherche un logement"])
            r.personas[name] = p.id
            for text, nature, cat in barriers:
                e.create_in(s, SYSTEM, "canvas_item", persona_id=p.id, kind="barrier", text=text, nature=nature,
                            category=cat)
            for text, cat, leads in needs:
                need = e.create_in(s, SYSTEM, "canvas_item", persona_id=p.id, kind="need", text=text, category=cat)
                r.needs[f"{name}:{text}"] = need.id
                for lead_text, resources in leads:
                    lead = e.create_in(s, SYSTEM, "solution_lead", need_id=need.id, text=lead_text)
                    for res in resources:
                        s.add(m.LeadResource(lead_id=lead.id, resource_id=res.id))

        persona(s1.id, g1.id, "Aïcha",
                [("Assuétudes", "objective", "addiction"), ("Loyer trop cher", "objective", "housing"),
                 ("Peur de l’administration", "subjective", "residence_admin")],
                [("Logement", "housing", [("Agence immobilière sociale", [ais])]),
                 ("Aide financière", "money_debt", [("CPAS", [cpas])])])
        persona(s1.id, g2.id, "Jérôme",
                [("assuetudes", "objective", "addiction"), ("Loyers trop chers !", "objective", "housing")],
                [("Logement", "housing", [("Chercher ensemble", [])]), ("Un travail", "employment", [])])
        persona(s3.id, g3.id, "Éloïse",
                [("Assuétude.", "subjective", "addiction"), ("Casier judiciaire", "objective", "justice")],
                [("Accompagnement à la sortie", "justice", [("Service d’aide aux détenu·e·s", [cpas])])])
        # a deleted persona and a deleted barrier never count
        gone = e.create_in(s, SYSTEM, "persona", session_id=s1.id, name="Supprimé")
        gone.deleted_at = m.utcnow()
        ghost = e.create_in(s, SYSTEM, "canvas_item", persona_id=r.personas["Aïcha"], kind="barrier",
                            text="Barrière effacée", nature="objective", category="other")
        ghost.deleted_at = m.utcnow()

        finding = e.create_in(s, SYSTEM, "contribution", session_id=s1.id, kind="finding", category="Constats",
                              text="Les loyers ont doublé en dix ans.")
        e.create_in(s, SYSTEM, "contribution", session_id=s3.id, kind="wish", category="Souhaits",
                    text="Un·e référent·e unique à la sortie.")
        rec_rows = [(REC_TITLES[0], "regional", "Ministre bruxellois·e du Logement", s1.id, g1.id, True),
                    (REC_TITLES[1], "community", "", s1.id, g2.id, False),
                    (REC_TITLES[2], "federal", "Ministre de la Justice", s3.id, g3.id, True)]
        for title, level, public, sid, gid, retained in rec_rows:
            rec = e.create_in(s, SYSTEM, "recommendation", session_id=sid, subgroup_id=gid, title=title,
                              text=f"Texte de « {title} ».", level=level, public=public, retained=retained)
            r.recs[title] = rec.id
        merged = e.create_in(s, SYSTEM, "recommendation", session_id=s1.id, title="Doublon fusionné", level="regional")
        merged.merged_into_id = r.recs[REC_TITLES[0]]
        deleted = e.create_in(s, SYSTEM, "recommendation", session_id=s1.id, title="Recommandation retirée",
                              level="communal")
        deleted.deleted_at = m.utcnow()
        s.flush()
        r.recs["merged"], r.recs["deleted"] = merged.id, deleted.id
        first = r.recs[REC_TITLES[0]]
        s.add_all([m.RecommendationSource(recommendation_id=first, contribution_id=finding.id),
                   m.RecommendationSource(recommendation_id=first, canvas_item_id=r.needs["Aïcha:Logement"]),
                   m.RecommendationSource(recommendation_id=first, persona_id=r.personas["Jérôme"]),
                   m.RecommendationSource(recommendation_id=r.recs[REC_TITLES[2]],
                                          persona_id=r.personas["Éloïse"])])
        # dots: 3 on the first, 1 on the second, 2 on the third; 2 on the merged duplicate (not counted)
        for title, group, n in ((REC_TITLES[0], g1, 2), (REC_TITLES[0], g2, 1), (REC_TITLES[1], g1, 1),
                                (REC_TITLES[2], g3, 2)):
            for _ in range(n):
                s.add(m.Vote(session_id=group.session_id, subgroup_id=group.id, recommendation_id=r.recs[title]))
        s.add_all([m.Vote(session_id=s1.id, subgroup_id=g1.id, recommendation_id=merged.id) for _ in range(2)])
        plan1 = e.create_in(s, SYSTEM, "implementation_plan", recommendation_id=first, session_id=s1.id,
                            subgroup_id=g1.id, who_wants_what="Les locataires veulent un seul guichet.")
        e.create_in(s, SYSTEM, "plan_action", plan_id=plan1.id, action="Réunir les CPAS et les AIS",
                    carrier="Fédération des CPAS", due=dt.date(2024, 9, 1), indicator="Une convention signée")
        e.create_in(s, SYSTEM, "plan_action", plan_id=plan1.id, action="Ouvrir un guichet pilote",
                    carrier="Commune de Forest", due=None, indicator="")
        plan3 = e.create_in(s, SYSTEM, "implementation_plan", recommendation_id=r.recs[REC_TITLES[2]],
                            session_id=s3.id, subgroup_id=g3.id)
        e.create_in(s, SYSTEM, "plan_action", plan_id=plan3.id, action="Désigner un·e référent·e",
                    carrier="SPF Justice", due=dt.date(2025, 1, 15), indicator="Référent·e nommé·e",
                    means="Un mi-temps", risks="Turn-over")
        # people: org B merged into A; a cancelled and an erased registration never count
        org_a = m.Organisation(name="Maison A", normalized_name=f"{slug}-a", sector="Logement")
        org_b = m.Organisation(name="Maison A (doublon)", normalized_name=f"{slug}-b", sector="Logement")
        org_c = m.Organisation(name="Service C", normalized_name=f"{slug}-c", sector="Insertion")
        s.add_all([org_a, org_b, org_c])
        s.flush()
        org_b.merged_into_id = org_a.id
        people = [m.Participant(first_name=n, organisation_id=o.id) for n, o in
                  (("Ana", org_a), ("Ben", org_b), ("Chloé", org_c), ("Dan", org_c), ("Eve", org_a))]
        s.add_all(people)
        s.flush()
        people[4].erased_at = m.utcnow()
        for p, sid, status, present in ((people[0], s1.id, "confirmed", True), (people[1], s1.id, "confirmed", False),
                                        (people[2], s1.id, "waiting", False), (people[3], s1.id, "cancelled", False),
                                        (people[4], s1.id, "confirmed", True), (people[0], s3.id, "confirmed", True)):
            s.add(m.Registration(participant_id=p.id, session_id=sid, status=status, present=present))
        for moment, weather in (("before", "rainy"), ("before", "cloudy"), ("after", "sunny"),
                                ("after", "partly_cloudy")):
            s.add(m.MoodCheck(session_id=s1.id, token_id=None, moment=moment, weather=weather))
    return r


@pytest.fixture
def rich(seeded) -> Rich:
    return build_rich_event()


# --- totals: the same numbers as `manage.py stats` ----------------------------------------

def test_totals_equal_stats_for_everything_and_each_event(rich):
    assert d.totals() == counts()
    for slug in (PD, "assises-logement-travail-social", rich.slug):
        assert d.totals(d.event_filter(slug)) == counts(slug), slug
    mine = counts(rich.slug)
    # merged and deleted recommendations, their dots, the deleted persona, cancelled and erased people are out
    assert (mine["recommendations"], mine["votes"], mine["personas"], mine["participants"]) == (3, 6, 3, 3)


def test_stats_command_and_dashboard_page_show_the_same_numbers(rich, database):
    env = {**os.environ, "ATELIER_DATABASE_URL": database}
    out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "stats", "--json"], capture_output=True,
                         text=True, env=env, timeout=120, check=True)
    stats = json.loads(out.stdout)
    at = _page(Actor(kind="staff", id=1, role="admin", label="Admin"))
    shown = {mt.label: mt.value for mt in at.metric}
    expected = {"Ateliers": "sessions", "Inscrit·e·s": "participants", "Personas": "personas",
                "Recommandations": "recommendations", "Éléments de canevas": "canvas_items", "Besoins": "needs",
                "Pistes de réponses": "solution_leads", "Ressources du répertoire": "resources",
                "Votes (gommettes)": "votes"}
    for label, key in expected.items():
        assert shown[label] == str(stats[key]), label
    assert shown["Organisations"] == "2"  # Maison A (with its merged duplicate) and Service C


# --- barriers, needs, recurrences -------------------------------------------------------------

def test_barriers_by_category_of_the_six_partners_day_personas(seeded):
    f = d.event_filter(PD)
    expected = Counter((b["category"], b["nature"]) for p in D.PARTNERS_DAY["personas"] for b in p["barriers"])
    df = d.barriers_by_category(f)
    assert {(r.category, r.nature): r.barriers for r in df.itertuples()} == dict(expected)
    grid = d.barriers_by_persona(f)
    assert list(dict.fromkeys(grid["persona"])) == ["Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"]
    ahmed = grid[grid["persona"] == "Ahmed"].set_index("category")
    assert ahmed.loc["isolation", "objective"] == 1 and ahmed.loc["isolation", "subjective"] == 1


def test_needs_without_resource_on_the_demo_are_the_gaps_of_the_report(seeded):
    expected = sorted((p["name"], n["text"]) for p in D.PARTNERS_DAY["personas"] for n in p["needs"]
                      if not any(ld["resources"] for ld in n["leads"]))
    gaps = d.needs_without_resource(d.event_filter(PD))
    assert sorted(zip(gaps["persona"], gaps["need"])) == expected
    assert ("Ahmed", "Logement") in expected and sum(1 for name, _ in expected if name == "Fatoumata") == 4
    cov = d.needs_coverage(d.event_filter(PD))
    assert cov.needs == sum(len(p["needs"]) for p in D.PARTNERS_DAY["personas"])
    assert cov.needs - cov.needs_with_resource == len(expected)


def test_near_duplicate_wordings_are_grouped_across_personas(rich):
    f = d.event_filter(rich.slug)
    top = d.recurrent_items(f, "barrier")
    first = top.iloc[0]
    # "Assuétudes", "assuetudes" and "Assuétude." are one barrier of three personas
    assert (first["wording"], first["personas"], first["items"], first["variants"]) == ("Assuétudes", 3, 3, 3)
    rent = top[top["wording"].str.startswith("Loyer")].iloc[0]
    assert (rent.personas, rent.variants) == (2, 2)
    assert "Casier judiciaire" in set(top["wording"]) and "Barrière effacée" not in set(top["wordings"])
    needs = d.recurrent_items(f, "need")
    assert needs.iloc[0].wording == "Logement" and needs.iloc[0].personas == 2


def test_needs_coverage_gaps_and_unused_resources(rich):
    f = d.event_filter(rich.slug)
    cov = d.needs_coverage(f)
    # needs: Aïcha 2 (both resourced), Jérôme 2 (one lead without a resource, one nothing), Éloïse 1 (resourced)
    assert (cov.needs, cov.needs_with_lead, cov.needs_with_resource, cov.leads,
            cov.leads_with_resource) == (5, 4, 3, 4, 3)
    assert cov.share_leads_with_resource == pytest.approx(0.75)
    gaps = d.needs_without_resource(f)
    assert sorted(zip(gaps["persona"], gaps["need"], gaps["leads"])) == [("Jérôme", "Logement", 1),
                                                                         ("Jérôme", "Un travail", 0)]
    unused = d.unused_resources(f)
    assert "Ressource jamais utilisée" in set(unused["name"])
    assert "Centre public d’action sociale" not in set(unused["name"])  # ours is used; the demo's CPAS is not
    linked = d.resources_most_linked(f)
    assert list(linked["acronym"][:2]) == ["CPAS", "AIS"] and list(linked["leads"][:2]) == [2, 1]
    by_cat = d.resources_by_category(f).set_index("category")
    assert by_cat.loc["money_debt", "links"] == 2 and by_cat.loc["housing", "resources"] == 1


# --- recommendations, plans, participation, mood --------------------------------------------

def test_recommendations_ranked_by_votes_per_theme_with_addressee_and_trail(rich):
    df = d.recommendations_ranked(d.event_filter(rich.slug))
    assert list(df["title"]) == [REC_TITLES[0], REC_TITLES[1], REC_TITLES[2]]
    assert list(df["theme"]) == ["Logement d’abord", "Logement d’abord", "Sortie de prison"]
    assert list(df["rank"]) == [1, 2, 1] and list(df["votes"]) == [3, 1, 2]
    first = df.iloc[0]
    assert first.public == "Ministre bruxellois·e du Logement" and first.level == "regional" and first.retained
    assert "Les loyers ont doublé en dix ans." in first.trail and "Logement (Aïcha)" in first.trail
    assert "Jérôme" in first.trail
    levels = d.votes_by_level(d.event_filter(rich.slug))
    assert list(levels["level"]) == ["regional", "community", "federal"]
    assert list(levels["votes"]) == [3, 1, 2] and list(levels["retained"]) == [1, 0, 1]


def test_implementation_completeness(rich):
    df = d.implementation_completeness(d.event_filter(rich.slug)).set_index("recommendation")
    assert df.loc[REC_TITLES[0], "actions"] == 2 and not df.loc[REC_TITLES[0], "complete"]
    assert (df.loc[REC_TITLES[0], "with_due"], df.loc[REC_TITLES[0], "with_indicator"]) == (1, 1)
    assert bool(df.loc[REC_TITLES[2], "complete"])
    summary = d.completeness_summary(d.event_filter(rich.slug))
    assert (summary.plans, summary.complete_plans, summary.actions) == (2, 1, 3)


def test_participation_counts_people_organisations_once(rich):
    f = d.event_filter(rich.slug)
    per = d.participation(f).set_index("session_id")
    s1, s2, s3 = rich.sessions
    assert per.loc[s1, ["registered", "confirmed", "waiting", "present", "organisations"]].tolist() == [3, 2, 1, 1, 2]
    assert per.loc[s2, "registered"] == 0 and per.loc[s3, "present"] == 1
    tot = d.participation_totals(f)
    assert (tot.participants, tot.present, tot.organisations, tot.sectors) == (3, 1, 2, 2)
    sectors = d.participants_by_sector(f).set_index("sector")
    assert sectors.loc["Logement", "participants"] == 2 and sectors.loc["Insertion", "organisations"] == 1


def test_mood_before_and_after(rich):
    f = d.event_filter(rich.slug)
    scores = d.mood_scores(f).iloc[0]
    assert (scores.before_checks, scores.after_checks) == (2, 2)
    assert (scores.before_score, scores.after_score, scores.change) == (2.5, 4.5, 2.0)
    assert d.mood(f)["checks"].sum() == 4


def test_filters_by_theme_session_dates_and_visible_events(rich):
    th1, th2 = rich.themes
    s1, s2, s3 = rich.sessions
    only_theme2 = d.DashboardFilter(event_ids=(rich.event_id,), theme_ids=(th2,))
    assert list(d.recommendations_ranked(only_theme2)["title"]) == [REC_TITLES[2]]
    assert d.totals(only_theme2)["personas"] == 1 and d.totals(only_theme2)["themes"] == 1
    march_8_to_15 = d.DashboardFilter(date_from=dt.date(2024, 3, 8), date_to=dt.date(2024, 3, 15))
    assert d.totals(march_8_to_15)["sessions"] == 2 and d.totals(march_8_to_15)["personas"] == 1
    assert d.totals(d.DashboardFilter(session_ids=(s2,)))["personas"] == 0
    nothing_visible = d.DashboardFilter(visible_event_ids=frozenset())
    assert d.totals(nothing_visible)["sessions"] == 0
    mine = d.DashboardFilter(visible_event_ids=frozenset({rich.event_id}))
    assert d.totals(mine) == counts(rich.slug)
    with pytest.raises(ValidationError) as err:
        d.DashboardFilter(date_from=dt.date(2024, 3, 9), date_to=dt.date(2024, 3, 1)).validate()
    assert err.value.key == "error.dashboard_dates_reversed"


# --- the page ---------------------------------------------------------------------------------

def _page(actor: Actor | None, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "dashboard.py"), default_timeout=60)
    if actor is not None:
        at.session_state["actor"] = actor
    if tab:
        at.session_state["dash_tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_the_personas_barriers_by_category_and_the_gaps(seeded):
    organiser = Actor(kind="staff", id=7, role="organiser", label="Orga",
                      event_ids=frozenset({d.event_filter(PD).event_ids[0]}))
    at = _page(organiser)
    titles = [h.value for h in at.subheader]
    assert "Freins par catégorie" in titles and "Freins de chaque persona, par catégorie" in titles
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    grid = next(c for c in charts if c["data"][0]["type"] == "heatmap")
    assert grid["data"][0]["y"] == ["Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"]
    assert "Isolement" in grid["data"][0]["x"] and "Emploi" in grid["data"][0]["x"]
    bars = next(c for c in charts if c["data"][0].get("name") == "Objectif")
    assert {tr["name"] for tr in bars["data"]} == {"Objectif", "Subjectif"}
    # the organiser's own event only: the resources metric is the ones drawn on, as in `stats --event`
    shown = {mt.label: mt.value for mt in at.metric}
    assert shown["Ressources mobilisées"] == str(counts(PD)["resources"])
    assert shown["Ateliers"] == "1"

    at.session_state["dash_tab"] = "Besoins et ressources"
    at.run()
    assert not at.exception
    gaps = next(df.value for df in at.dataframe if "Besoin" in df.value.columns)
    assert ("Ahmed", "Logement") in set(zip(gaps["Persona"], gaps["Besoin"]))
    assert (gaps["Persona"] == "Fatoumata").sum() == 4
    assert [b.label for b in at.get("download_button")][:2] == ["CSV", "Excel (XLSX)"]


def test_page_switches_a_chart_to_its_table_and_speaks_english(rich):
    at = _page(Actor(kind="staff", id=1, role="admin", label="Admin"), tab="Recommandations et mise en œuvre")
    assert "Recommandations classées par votes" in [h.value for h in at.subheader]
    at.segmented_control(key="view_recommendations_ranked").set_value("table").run()
    table = next(df.value for df in at.dataframe if "Titre" in df.value.columns)
    assert list(table["Titre"][:3]) == list(REC_TITLES)
    assert list(table["Niveau de pouvoir"][:3]) == ["Régional", "Communautaire", "Fédéral"]
    at.session_state["lang"] = "en"
    at.run()  # new tab labels: back to the first tab
    assert "Barriers by category" in [h.value for h in at.subheader]
    assert "Workshops" in [mt.label for mt in at.metric]
    at.session_state["dash_tab"] = "Recommendations and implementation"
    at.run()
    assert "Recommendations ranked by votes" in [h.value for h in at.subheader]
    at.session_state["dash_tab"] = "Booklet and exports"
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert labels[:2] == ["Download as Word", "Download as PDF"] and "Every table (Excel)" in labels


def test_page_is_for_organisers_only(seeded):
    at = _page(None)
    assert at.warning and not at.metric
    facilitator = _page(Actor(kind="staff", id=3, role="facilitator", label="Anim", event_ids=frozenset({1})))
    assert facilitator.warning and not facilitator.metric


def test_every_column_and_code_the_page_translates_has_a_label(rich):
    from core.i18n import LANGUAGES, catalog

    f = d.event_filter(rich.slug)
    columns, codes = set(), set()
    for name, fn in d.FIGURES.items():
        result = fn(f)
        frame = result.as_frame() if hasattr(result, "as_frame") else result
        if not hasattr(frame, "columns"):
            continue
        columns |= {c for c in frame.columns if not c.endswith("_id")}
        for col, group in (("category", "category"), ("nature", "nature"), ("level", "level"),
                           ("moment", "moment"), ("weather", "weather")):
            if col in frame.columns and name != "contributions_by_category":
                # an empty category reads "no category"; an empty nature (needs) is not shown
                codes |= {f"dashboard.{group}.{v or 'none'}" for v in frame[col] if v or group == "category"}
    codes |= {f"dashboard.category.{c}" for c in vocabulary.CATEGORIES}
    codes |= {f"dashboard.level.{lv}" for lv in vocabulary.POWER_LEVELS}
    codes |= {f"dashboard.weather.{w}" for w in vocabulary.WEATHERS}
    codes |= {f"dashboard.kind.{k}" for k in vocabulary.CONTRIBUTION_KINDS}
    codes |= {f"dashboard.kind.{k}" for k in vocabulary.CANVAS_KINDS}
    for lang in LANGUAGES:
        missing = sorted({f"dashboard.col.{c}" for c in columns} | codes)
        missing = [k for k in missing if k not in catalog(lang)]
        assert missing == [], lang


# --- who took part: joins by code count, without any registration -------------------------------

@dataclass
class Room:
    event_id: int
    slug: str
    sessions: list[int]


def build_joined_only_event(slug: str = "geneve-code") -> Room:
    """Two dated sessions of one theme where nobody registered and everybody joined by code:
    session 1: Léa twice at table 1 (a second browser), Léa at table 2 (another person), Omar, two
    browsers without a first name; session 2: Omar again and one browser without a name."""
    from core.access.join import join

    with db.write_session() as s:
        ev = create_event_in(s, SYSTEM, slug=slug, title="Atelier genevois", starts_on=dt.date(2025, 5, 6))
        theme = e.create_in(s, SYSTEM, "theme", event_id=ev.id, title="Logement", position=0)
        s1 = add_session_in(s, SYSTEM, theme.id, "2025-05-06T09:00", "2025-05-06T12:00")
        s2 = add_session_in(s, SYSTEM, theme.id, "2025-05-20T09:00", "2025-05-20T12:00")
        g1, g2 = add_subgroup_in(s, SYSTEM, s1.id, "Table 1"), add_subgroup_in(s, SYSTEM, s1.id, "Table 2")
        g3 = add_subgroup_in(s, SYSTEM, s2.id, "Table A")
        room = Room(ev.id, slug, [s1.id, s2.id])
        groups = (g1.id, g2.id, g3.id)
    for group, name in ((0, "Léa"), (0, " léa "), (1, "Léa"), (0, "Omar"), (1, ""), (1, ""), (2, "Omar"), (2, "")):
        join(room.sessions[0] if group < 2 else room.sessions[1], groups[group], name)
    return room


def test_joins_by_code_count_as_taking_part_per_session(seeded):
    room = build_joined_only_event()
    f = d.event_filter(room.slug)
    people = d.participation_totals(f)
    # session 1: Léa (table 1, twice), Léa (table 2), Omar, 2 unnamed = 5; session 2: Omar, 1 unnamed = 2
    assert (people.joined, people.participants, people.present, people.organisations) == (7, 0, 0, 0)
    assert people.took_part
    per_session = d.participation(f).set_index("session_id")
    assert per_session.loc[room.sessions[0], "joined"] == 5 and per_session.loc[room.sessions[1], "joined"] == 2
    assert per_session.loc[room.sessions[0], "registered"] == 0
    assert d.totals(f)["joined"] == counts(room.slug)["joined"] == 7
    # a browser linked to a registered participant is that person in every session
    with db.write_session() as s:
        person = m.Participant(first_name="Omar")
        s.add(person)
        s.flush()
        tokens = s.execute(select(m.ParticipantToken).where(m.ParticipantToken.display_name == "Omar")).scalars()
        for token in tokens:
            token.participant_id = person.id
    assert d.participation_totals(f).joined == 6 and counts(room.slug)["joined"] == 6
    assert d.participation(f).set_index("session_id").loc[room.sessions[1], "joined"] == 2


def test_page_shows_registered_present_and_joined_each_labelled(seeded):
    room = build_joined_only_event()
    admin = Actor(kind="staff", id=1, role="admin", label="Admin")
    at = AppTest.from_file(str(ROOT / "app_pages" / "dashboard.py"), default_timeout=60)
    at.session_state["actor"] = admin
    at.session_state["dash_events"] = [room.event_id]
    at.session_state["dash_tab"] = "Participation et météo"
    at.run()
    assert not at.exception, at.exception
    shown = {mt.label: mt.value for mt in at.metric}
    assert shown["Ont rejoint par code"] == "7" and shown["Inscrit·e·s"] == "0"
    assert shown["Présent·e·s"] == "0"
    at.segmented_control(key="view_participation").set_value("table").run()
    table = next(df.value for df in at.dataframe if "Rejoint par code" in df.value.columns)
    assert sorted(table["Rejoint par code"]) == [2, 5]


# --- the dashboard's figures come from a cache keyed by the data's revision ----------------------

def test_tab_figures_are_computed_once_per_revision_and_again_after_a_write(rich, monkeypatch):
    from core.reporting import cache

    cache.clear()
    f = d.event_filter(rich.slug)
    calls = Counter()
    real = d.TAB_FIGURES["recommendations"]["recommendations_ranked"]

    def counting(flt):
        calls["ranked"] += 1
        return real(flt)

    monkeypatch.setitem(d.TAB_FIGURES["recommendations"], "recommendations_ranked", counting)
    rev = cache.data_revision()
    first = cache.tab_figures("recommendations", f, rev)["recommendations_ranked"]
    first.loc[0, "title"] = "changed by the page"     # what a caller does to its copy stays there
    again = cache.tab_figures("recommendations", f, cache.data_revision())["recommendations_ranked"]
    assert calls["ranked"] == 1 and list(again["title"][:3]) == list(REC_TITLES)
    # another filter is another entry
    cache.tab_figures("recommendations", d.DashboardFilter(), rev)
    assert calls["ranked"] == 2
    # a write through the write path moves the revision: the new recommendation shows at once
    with db.write_session() as s:
        e.create_in(s, SYSTEM, "recommendation", session_id=rich.sessions[0], title="Une de plus", level="communal")
    moved = cache.data_revision()
    assert moved != rev
    fresh = cache.tab_figures("recommendations", f, moved)["recommendations_ranked"]
    assert calls["ranked"] == 3 and "Une de plus" in set(fresh["title"])
    # entries of the older revision are gone
    assert all(key[0] == moved for key in cache.FIGURES._data)


def test_page_shows_a_write_made_after_it_was_drawn(rich):
    at = _page(Actor(kind="staff", id=1, role="admin", label="Admin"))
    before = {mt.label: mt.value for mt in at.metric}["Recommandations"]
    with db.write_session() as s:
        e.create_in(s, SYSTEM, "recommendation", session_id=rich.sessions[0], title="Nouvelle", level="communal")
    at.run()
    assert int({mt.label: mt.value for mt in at.metric}["Recommandations"]) == int(before) + 1


def test_an_event_s_revision_moves_with_its_own_writes_and_the_inventory_not_another_event(rich):
    from core.reporting import cache

    mine, everything = d.event_filter(rich.slug), d.DashboardFilter()
    other_session = d.session_labels(d.event_filter(PD))["session_id"].iloc[0]
    before_mine, before_all = cache.data_revision(mine), cache.data_revision(everything)
    with db.write_session() as s:   # a live room of another event
        e.create_in(s, SYSTEM, "persona", session_id=int(other_session), name="Ailleurs")
    assert cache.data_revision(mine) == before_mine and cache.data_revision(everything) != before_all
    with db.write_session() as s:   # the inventory belongs to no event: every dashboard may show it
        e.create_in(s, SYSTEM, "resource", acronym="OSEO", name="Œuvre suisse d’entraide ouvrière", category="other")
    after_inventory = cache.data_revision(mine)
    assert after_inventory != before_mine
    with db.write_session() as s:
        e.create_in(s, SYSTEM, "persona", session_id=rich.sessions[0], name="Ici")
    assert cache.data_revision(mine) != after_inventory
    # an organiser without a chosen event: the events they may see
    organiser = d.DashboardFilter(visible_event_ids=frozenset({rich.event_id}))
    assert cache.data_revision(organiser)[1:] == cache.data_revision(mine)[1:]
