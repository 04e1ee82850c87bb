"""Access: staff login and revocation, roles in the navigation, participants joining by code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.access import accounts, join
from core.actor import SYSTEM
from core.errors import NotFound, PermissionDenied
from core.personas import canvas
from core.setup.events import add_session, add_subgroup, add_theme, create_event

ROOT = Path(__file__).resolve().parent.parent


def _all_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "error", "warning", "info", "success"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.fixture
def workshop(database):
    ev = create_event(SYSTEM, slug="atelier-test", title="Atelier test")
    theme = add_theme(SYSTEM, ev["id"], "Travailler en réseaux")
    session = add_session(SYSTEM, theme["id"], "2026-03-02T09:00", "2026-03-02T12:30")
    a = add_subgroup(SYSTEM, session["id"], "Table A")
    b = add_subgroup(SYSTEM, session["id"], "Table B")
    return {"event": ev, "session": session, "a": a, "b": b}


@pytest.fixture
def staff(workshop):
    accounts.create_user("anim", "facilitator", "Anim Test", "anim@example.org", "motdepasse-anim")
    accounts.attach_to_event("anim", workshop["event"]["id"])
    accounts.create_user("chef", "admin", "Admin Test", "", "motdepasse-admin")
    return workshop


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)


def _reachable(at: AppTest, page: str) -> bool:
    """Whether the current identity's navigation lists the page (AppTest refuses unlisted ones,
    as the server answers 'page not found')."""
    try:
        at.switch_page(page)
    except ValueError:
        return False
    at.run()
    return True


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.switch_page("app_pages/login.py").run()
    inputs = [w for w in at.text_input]
    inputs[0].input(username)
    inputs[1].input(password)
    at.button[0].click().run()
    return at.run()


def test_wrong_password_is_refused_with_a_message(staff):
    at = _app()
    at.run()
    _login(at, "anim", "pas-le-bon-mot")
    assert "Identifiant ou mot de passe incorrect." in _all_text(at)
    assert "Mes ateliers" not in _all_text(at)


def test_facilitator_sees_facilitator_pages_not_admin_pages(staff):
    at = _app()
    at.run()
    _login(at, "anim", "motdepasse-anim")
    text = _all_text(at)
    assert "Mes ateliers" in text and "Atelier test" in text
    assert staff["session"]["join_code"] in str([df.value for df in at.dataframe])
    assert not _reachable(at, "app_pages/users.py")
    assert _reachable(at, "app_pages/home.py")


def test_admin_sees_the_accounts_page(staff):
    at = _app()
    at.run()
    _login(at, "chef", "motdepasse-admin")
    assert _reachable(at, "app_pages/users.py")
    assert "Comptes de l’équipe" in _all_text(at)
    assert "anim" in str([df.value for df in at.dataframe])


def test_deactivated_user_is_logged_out_on_next_click(staff):
    at = _app()
    at.run()
    _login(at, "anim", "motdepasse-anim")
    assert "Mes ateliers" in _all_text(at)
    accounts.set_active("anim", False)
    at.run()
    assert "Mes ateliers" not in _all_text(at)
    assert not _reachable(at, "app_pages/sessions.py")
    assert _reachable(at, "app_pages/login.py")


def test_password_change_logs_out_existing_logins(staff):
    at = _app()
    at.run()
    _login(at, "anim", "motdepasse-anim")
    import time
    time.sleep(1.1)
    accounts.set_password("anim", "nouveau-mot-de-passe")
    at.run()
    assert "Mes ateliers" not in _all_text(at)


def _join(at: AppTest, code: str, group: int | None = None, name: str = "") -> AppTest:
    at.switch_page("app_pages/join.py").run()
    at.text_input(key="join_code_input").input(code)
    at.button[0].click().run()
    if group is not None:
        at.radio(key="join_group").set_value(group)
        at.text_input(key="join_name").input(name)
        at.button[1].click().run()
        at.run()
    return at


def test_bad_join_code_gets_a_message(workshop):
    at = _app()
    at.run()
    _join(at, "ZZZZZZ")
    assert "Ce code ne correspond à aucun atelier en cours" in _all_text(at)


def test_good_code_and_subgroup_lands_on_the_subgroup_page(workshop):
    at = _app()
    at.run()
    _join(at, workshop["session"]["join_code"].lower(), workshop["b"]["id"], "Nadia")
    text = _all_text(at)
    assert "Table B" in text and "Bienvenue, Nadia !" in text
    # a staff page typed by hand is not reachable
    assert not _reachable(at, "app_pages/sessions.py")
    assert not _reachable(at, "app_pages/login.py")
    at.run()
    assert "Table B" in _all_text(at)


def test_join_link_prefills_the_code(workshop):
    at = _app()
    at.query_params["join"] = workshop["session"]["join_code"]
    at.run()
    at.switch_page("app_pages/join.py").run()
    assert "Travailler en réseaux" in _all_text(at)
    assert at.radio(key="join_group") is not None


def test_participant_token_of_a_cannot_add_to_b_persona(workshop):
    persona_b = canvas.create_persona(SYSTEM, workshop["session"]["id"], "Sofia", subgroup_id=workshop["b"]["id"])
    token, membership = join.join(workshop["session"]["id"], workshop["a"]["id"], "Karim")
    actor_a = join.resolve(token).actor()
    assert actor_a.subgroup_id == workshop["a"]["id"]
    with pytest.raises(PermissionDenied):
        canvas.add_barrier(actor_a, persona_b["id"], "Frein ajouté par la mauvaise table")
    assert canvas.get_canvas(persona_b["id"]).barriers == []
    # once the facilitator opens the persona to all, the other table may add
    canvas.update_persona(SYSTEM, persona_b["id"], persona_b["version"], open_to_all=True)
    canvas.add_barrier(actor_a, persona_b["id"], "Frein partagé")
    assert [b.text for b in canvas.get_canvas(persona_b["id"]).barriers] == ["Frein partagé"]


def test_left_or_unknown_tokens_resolve_to_nobody(workshop):
    token, _ = join.join(workshop["session"]["id"], workshop["a"]["id"])
    assert join.resolve(token) is not None
    join.leave(token)
    assert join.resolve(token) is None
    assert join.resolve("not-a-token") is None and join.resolve("x" * 43) is None


def test_code_guessing_is_rate_limited_per_browser(workshop):
    for _ in range(10):
        with pytest.raises(NotFound):
            join.check_code("ABCDEF", browser_key="browser-1")
    with pytest.raises(join.TooManyAttempts):
        join.check_code(workshop["session"]["join_code"], browser_key="browser-1")
    # another browser in the same room is not blocked
    assert join.check_code(workshop["session"]["join_code"],
                           browser_key="browser-2").session_id == workshop["session"]["id"]


def _manage(args: list[str], url: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], input=stdin, capture_output=True,
                          text=True, env={**os.environ, "ATELIER_DATABASE_URL": url}, timeout=120)


def test_create_user_reads_the_password_from_stdin_never_argv(sqlite_file):
    refused = _manage(["create-user", "--username", "zoe", "--role", "organiser", "--name", "Zoé",
                       "--password", "secret-password"], sqlite_file)
    assert refused.returncode != 0
    ok = _manage(["create-user", "--username", "zoe", "--role", "organiser", "--name", "Zoé",
                  "--email", "zoe@example.org"], sqlite_file, stdin="un-long-mot-de-passe\n")
    assert ok.returncode == 0, ok.stderr
    short = _manage(["create-user", "--username", "yan", "--role", "organiser", "--name", "Yan"], sqlite_file,
                    stdin="court\n")
    assert short.returncode != 0 and len(short.stderr.strip().splitlines()) == 1
    listed = _manage(["list-users", "--json"], sqlite_file)
    assert '"zoe"' in listed.stdout and '"yan"' not in listed.stdout
    assert _manage(["deactivate-user", "--username", "zoe"], sqlite_file).returncode == 0
    assert '"active": false' in _manage(["list-users", "--json"], sqlite_file).stdout


def test_participants_cannot_change_the_shared_inventory_or_facilitation_rows(workshop):
    from core import entities
    from core.personas.suggestions import create_resource_inline
    from core.session import recommendations, session_flow

    cpas = entities.create(SYSTEM, "resource", acronym="CPAS", name="Centre public d'action sociale",
                           category="money_debt")
    token, _ = join.join(workshop["session"]["id"], workshop["a"]["id"], "Karim")
    participant = join.resolve(token).actor()
    with pytest.raises(PermissionDenied):
        entities.update(participant, "resource", cpas["id"], cpas["version"], name="Arnaque")
    with pytest.raises(PermissionDenied):
        entities.delete(participant, "resource", cpas["id"])
    assert entities.get("resource", cpas["id"])["name"] == "Centre public d'action sociale"
    # what the sub-group added itself stays its own to correct
    own = create_resource_inline(participant, workshop["a"]["id"], "Épicerie sociale du quartier", "money_debt")
    entities.update(participant, "resource", own["id"], own["version"], name="Épicerie sociale Anneessens")

    # a facilitator adds resources but does not rewrite the inventory
    accounts.create_user("anim2", "facilitator", "Anim", "", "motdepasse-anim")
    accounts.attach_to_event("anim2", workshop["event"]["id"])
    facilitator = accounts.get_user("anim2").actor()
    entities.create(facilitator, "resource", name="Maison de l'emploi", category="employment")
    with pytest.raises(PermissionDenied):
        entities.update(facilitator, "resource", cpas["id"], cpas["version"], name="CPAS bis")

    # rows without a sub-group belong to the facilitation
    session_flow.set_stage(SYSTEM, workshop["session"]["id"], "recommendations")
    persona = canvas.create_persona(SYSTEM, workshop["session"]["id"], "Paulette")
    rec = recommendations.create_recommendation(SYSTEM, workshop["session"]["id"], "Guichet unique", "regional",
                                                sources=[("persona", persona["id"])])
    with pytest.raises(PermissionDenied):
        entities.update(participant, "recommendation", rec["id"], rec["version"], title="Réécrit par une table")
    with pytest.raises(PermissionDenied):
        entities.delete(participant, "recommendation", rec["id"])
    with pytest.raises(PermissionDenied):
        canvas.add_barrier(participant, persona["id"], "Sur le persona de l'animation")
    # and only staff open a persona to every table
    mine = canvas.create_persona(participant, workshop["session"]["id"], "Ahmed", subgroup_id=workshop["a"]["id"])
    with pytest.raises(PermissionDenied):
        canvas.update_persona(participant, mine["id"], mine["version"], open_to_all=True)
