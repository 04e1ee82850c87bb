"""Hostile and odd input for the tests of issue 9 item 1 (``tests/test_hostile_*.py``): the named
payloads, the hypothesis strategies, the oracle of the text rule of ``core.validation``, the
"nothing was written" fingerprint of the database, and the tally of inputs tried.

The oracle (``expected_text``) is written from the rule documented in ``core/validation.py``, not
by calling it, so a change of the rule shows up as a failing property."""
from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.errors import AtelierError
from core.i18n import LANGUAGES, catalog, translate
from storage import db
from storage.models import Base

# --- named payloads (always run, by name) ------------------------------------------------------

NAMED: dict[str, str] = {
    "empty": "",
    "spaces": "   ",
    "nbsp_zwsp_tab_newline": "\u00a0\u200b\t\n",
    "zero_width_only": "\u200b\u200c\u200d\ufeff",
    "long_100k": "x" * 100_000,
    "long_100k_emoji": "😀" * 100_000,
    "nul": "a\x00b",
    "nul_only": "\x00",
    "bell": "ding\x07dong",
    "escape_seq": "\x1b[31mred\x1b[0m",
    "c1_next_line": "a\x85b",
    "del": "a\x7fb",
    "lone_surrogate": "a\ud800b",
    "lone_low_surrogate": "\udfff",
    "noncharacter_ffff": "a\uffffb",
    "arabic": "مرحبا بكم في الورشة",
    "hebrew": "שלום עולם",
    "rtl_override": "invoice\u202egnp.exe",
    "mixed_bidi": "Ahmed أحمد (42) — שלום",
    "emoji_zwj_family": "👩\u200d👩\u200d👧\u200d👦 famille",
    "emoji_flags": "🇧🇪🇨🇭🇫🇷🇳🇱",
    "emoji_skin_tone": "👍🏽👋🏿",
    "emoji_keycap": "1️⃣#️⃣",
    "combining": "e\u0301le\u0300ve",            # NFC: élève
    "sql_drop": "'; DROP TABLE personas;--",
    "sql_or": "' OR 1=1 --",
    "sql_union": "x' UNION SELECT password_hash FROM users --",
    "sql_comment": "Robert'); DELETE FROM activity; /*",
    "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "svg_onload": "<svg/onload=alert(1)>",
    "md_js_link": "[x](javascript:alert(1))",
    "md_js_image": "![x](javascript:alert(1))",
    "md_reference": "[x][1]\n\n[1]: javascript:alert(1)",
    "md_autolink": "<javascript:alert(1)>",
    "gfm_autolink": "www.evil.example/x https://evil.example",
    "html_entity": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "st_colour": ":red[rouge] :blue-background[x]",
    "st_icon": ":material/home: :smile:",
    "st_latex": "$$\n\\int_0^1 x\\,dx\n$$",
    "code_fence": "```\nprint('x')\n```",
    "heading_list": "# Titre\n- point\n1. un\n> citation",
    "formula_eq": '=HYPERLINK("http://evil.example","clic")',
    "formula_plus": "+1+1",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(A1:A9)",
    "formula_tab": "\t=1+1",
    "crlf": "ligne 1\r\nligne 2\rligne 3",
    "line_separators": "a\u2028b\u2029c",
    "backslashes": "C:\\chemin\\x \\n",
    "format_braces": "%s %d {0} {name} {{x}}",
    "quotes": "\"guillemets\" 'apostrophe' `backtick` « français » ’",
}

# payloads a person types or pastes into a form (the export and rendering tests store these)
STORABLE = [k for k in NAMED if k not in ("empty", "spaces", "nbsp_zwsp_tab_newline", "zero_width_only", "long_100k",
                                          "long_100k_emoji", "nul", "nul_only", "bell", "escape_seq",
                                          "c1_next_line", "del", "lone_surrogate", "lone_low_surrogate",
                                          "noncharacter_ffff")]

MALFORMED_IDS: dict[str, Any] = {
    "zero": 0, "negative": -1, "min_int64": -(2**63), "int32_max_plus_one": 2**31, "huge_2_63": 2**63,
    "huge_2_100": 2**100, "digits_huge": "9" * 30, "text": "abc", "sql": "1; DROP TABLE events", "empty": "",
    "spaces": "  ", "none": None, "true": True, "false": False, "float": 1.5, "float_whole": 1.0, "nan": float("nan"),
    "inf": float("inf"), "minus_inf": float("-inf"), "list": [1], "dict": {"id": 1}, "bytes": b"1",
    "superscript_two": "²", "arabic_digit": "١", "exponent": "1e3", "hex": "0x1", "negative_text": "-1",
    "nul": "1\x00", "surrogate": "\ud800",
}

MALFORMED_DATES: dict[str, Any] = {
    "feb_30": "2026-02-30", "empty": "", "spaces": "   ", "word": "tomorrow", "french": "demain",
    "year_0": "0000-01-01", "year_10000": "10000-01-01", "year_1": "0001-01-01", "year_9999": "9999-12-31",
    "month_13": "2026-13-01", "slashes": "31/12/2026", "short": "2026-1-1", "nul": "2026-01-01\x00",
    "long": "2026-01-01" * 1000, "number": 20260101, "float": 2026.5, "list": ["2026-01-01"],
    "hour_25": "2026-03-02T25:00", "sql": "2026-01-01'; DROP TABLE events;--",
}

LIMIT_LENGTHS = (1, 12, 13, 40, 41, 60, 61, 80, 81, 120, 121, 200, 201, 300, 301, 500, 501, 1_000, 1_001, 5_000,
                 5_001)

# --- strategies -------------------------------------------------------------------------------

WHITESPACE = " \t\n\r\u00a0\u2007\u202f\u3000\u2028\u2029\u200b\u200c\u200d\u2060\ufeff\u200e\u200f"
CONTROLS = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]]
RTL = ["مرحبا", "السكن الاجتماعي", "שלום", "דיור", "\u202eevil", "abc\u202edef\u202c", "\u200fRTL mark"]
EMOJI = ["😀", "👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇧🇪", "🇨🇭", "👍🏽", "1️⃣", "🧑\u200d💻", "❤️", "🫶", "🤌🏾"]
INJECTIONS = [NAMED[k] for k in ("sql_drop", "sql_or", "sql_union", "sql_comment", "script", "img_onerror",
                                 "svg_onload", "md_js_link", "md_js_image", "md_reference", "md_autolink",
                                 "gfm_autolink", "html_entity", "st_colour", "st_icon", "st_latex", "code_fence",
                                 "heading_list", "formula_eq", "formula_plus", "formula_minus", "formula_at",
                                 "formula_tab", "format_braces", "backslashes")]

short_text = st.text(max_size=15)
whitespace_only = st.text(alphabet=WHITESPACE, min_size=1, max_size=30)
with_control = st.builds(lambda a, c, b: a + c + b, short_text, st.sampled_from(CONTROLS), short_text)
controls_only = st.text(alphabet=st.sampled_from(CONTROLS), min_size=1, max_size=10)
with_surrogate = st.builds(lambda a, c, b: a + c + b, short_text,
                           st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), short_text)
with_noncharacter = st.builds(lambda a, c, b: a + c + b, short_text,
                              st.sampled_from(["\ufffe", "\uffff", "\ufdd0", "\U0010ffff", "\U0001fffe"]), short_text)
very_long = st.builds(lambda ch, extra: ch * (100_000 + extra), st.sampled_from(["a", "é", "😀", "ب", " x", "\n"]),
                      st.integers(0, 3))
around_limits = st.builds(lambda n, ch, pad: pad + ch * n + pad, st.sampled_from(LIMIT_LENGTHS),
                          st.sampled_from(["a", "é", "😀", "ש", "e\u0301"]), st.sampled_from(["", " ", "\n"]))
rtl_text = st.one_of(st.sampled_from(RTL),
                     st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), min_size=1,
                             max_size=40),
                     st.builds(lambda a, b: a + "\u202e" + b, short_text, short_text))
emoji_text = st.lists(st.sampled_from(EMOJI), min_size=1, max_size=12).map("".join)
injection = st.sampled_from(INJECTIONS)
mixed = st.builds(lambda a, p, b: a + p + b, short_text, st.one_of(injection, st.sampled_from(RTL + EMOJI)), short_text)
lines = st.lists(st.one_of(short_text, whitespace_only, injection), min_size=2, max_size=8).map(
    lambda parts: "\n".join(parts))

hostile_text = st.one_of(
    st.just(""), whitespace_only, with_control, controls_only, with_surrogate, with_noncharacter, very_long,
    around_limits, rtl_text, emoji_text, injection, mixed, lines, st.text(max_size=200),
)

malformed_id = st.one_of(
    st.integers(max_value=0), st.integers(min_value=2**31), st.sampled_from(list(MALFORMED_IDS.values())),
    st.floats(), st.text(max_size=30).filter(lambda x: not (x.strip().isascii() and x.strip().isdigit())),
    st.none(), st.booleans(), st.lists(st.integers(), max_size=2), st.binary(max_size=4),
)
odd_number = st.one_of(
    st.integers(), st.floats(), st.text(max_size=12),
    st.sampled_from(["", " 3 ", "3.0", "1_000", "١٢", "+5", "-0", "1e3", "0x10", "9" * 40, "inf", "nan", "\x00"]),
    st.none(), st.booleans(), st.just([3]),
)

odd_date = st.one_of(
    st.sampled_from(list(MALFORMED_DATES.values())), st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()),
    st.text(max_size=25), st.integers(), st.dates(),
)


def hypothesis_settings(max_examples: int) -> settings:
    """Sane settings for CI: a bounded number of examples, no deadline (databases vary), no
    example database in the repository, and function-scoped fixtures (one database per test)."""
    return settings(max_examples=max_examples, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                           HealthCheck.large_base_example])


# --- the oracle of the text rule ---------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def expected_text(raw: Any, max_len: int, required: bool = True, multiline: bool = True) -> tuple[str, Any]:
    """("ok", stored value) or ("err", message key), by the rule in core/validation.py's docstring."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return "err", "error.not_text"
    if any(0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff" for ch in raw):
        return "err", "error.invalid_characters"
    value = unicodedata.normalize("NFC", raw)
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    if _CONTROL.search(value):
        return "err", "error.control_characters"
    value = value.strip()
    if not multiline:
        value = " ".join(part.strip() for part in value.split("\n") if part.strip())
    if all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in value):
        value = ""
    if not value:
        return ("err", "error.required") if required else ("ok", "")
    if len(value) > max_len:
        return "err", "error.too_long"
    return "ok", value


def expected_lines(raw: Any, max_items: int, max_len: int) -> tuple[str, Any]:
    """The rule of a list of one-line texts typed one per line (persona facts)."""
    if isinstance(raw, str):
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in raw):
            return "err", "error.invalid_characters"
        raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n").split("\n")
    items = []
    for part in raw:
        kind, value = expected_text(part, max_len, required=False, multiline=False)
        if kind == "err":
            return kind, value
        if value:
            items.append(value)
    if len(items) > max_items:
        return "err", "error.too_many"
    return "ok", items


def expected_int(raw: Any, lo: int | None, hi: int | None, required: bool = False) -> tuple[str, Any]:
    """The rule of a whole number: an int (not a bool) or decimal digits with a sign, in range."""
    if raw is None or raw == "":
        return ("err", "error.required") if required else ("ok", None)
    if isinstance(raw, bool):
        return "err", "error.not_a_number"
    if isinstance(raw, int):
        number = raw
    elif isinstance(raw, str) and re.fullmatch(r"[+-]?\d{1,18}", raw.strip()):
        number = int(raw.strip())
    else:
        return "err", "error.not_a_number"
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return "err", "error.out_of_range"
    return "ok", number


def short(value: Any, n: int = 60) -> str:
    r = repr(value)
    return r if len(r) <= n else f"{r[:n]}… ({len(value) if hasattr(value, '__len__') else '?'} long)"


# --- keyed errors ------------------------------------------------------------------------------

def assert_keyed(exc: AtelierError) -> None:
    """A core error a page can show: its key is in the three catalogs and its message renders
    (core.i18n and ui.errors.message) in each language without an exception."""
    import streamlit as st

    from ui.errors import message

    assert isinstance(exc.key, str) and exc.key, exc
    for lang in LANGUAGES:
        assert exc.key in catalog(lang), f"{exc.key} is missing in locales/{lang}"
        wanted = {name for _, name, _, _ in string.Formatter().parse(catalog(lang)[exc.key]) if name}
        assert wanted <= set(exc.params), f"{exc.key} needs {wanted - set(exc.params)} in {lang}"
        assert translate(lang, exc.key, **exc.params)
        st.session_state["lang"] = lang
        shown = message(exc)
        assert shown and shown == translate(lang, exc.key, **{k: _md(v) for k, v in exc.params.items()})
    st.session_state["lang"] = "fr"


def _md(value: Any) -> Any:
    from ui.text import md

    return md(value) if isinstance(value, str) else value


# --- "nothing was written" -------------------------------------------------------------------

_FINGERPRINT_SQL: dict[str, str] = {}


def fingerprint(exclude: tuple[str, ...] = ()) -> tuple:
    """Row count of every table, the sum of the version columns (any edit moves it) and the newest
    activity id, in one query."""
    url = db.database_url()
    key = f"{url}|{exclude}"
    if key not in _FINGERPRINT_SQL:
        parts = []
        for table in Base.metadata.sorted_tables:
            if table.name in exclude:
                continue
            parts.append(f'(SELECT count(*) FROM "{table.name}")')
            if "version" in table.c:
                parts.append(f'(SELECT coalesce(sum(version), 0) FROM "{table.name}")')
        parts.append('(SELECT coalesce(max(id), 0) FROM "activity")')
        _FINGERPRINT_SQL[key] = "SELECT " + ", ".join(parts)
    with db.get_engine().connect() as conn:
        return tuple(conn.execute(text(_FINGERPRINT_SQL[key])).one())


# --- tally of the inputs tried --------------------------------------------------------------------

class Tally:
    """Distinct (backend, service, input) triples tried, for the closing note's "inputs tried"."""

    def __init__(self) -> None:
        self.seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.calls = 0

    def add(self, service: str, value: Any) -> None:
        backend = "postgresql" if db.database_url().startswith("postgresql") else "sqlite"
        digest = hashlib.sha1(repr(value).encode("utf-8", "surrogatepass")).hexdigest()
        self.seen[backend].add((service, digest))
        self.calls += 1

    def total(self) -> int:
        return sum(len(v) for v in self.seen.values())

    def line(self) -> str:
        per = ", ".join(f"{len(v)} on {k}" for k, v in sorted(self.seen.items()))
        return f"hostile inputs tried: {self.total()} distinct ({per}); {self.calls} calls"


TALLY = Tally()


def report_tally(request: Any) -> None:
    """Print the running tally (past pytest's output capture) when a test module finishes."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None:
        return
    if capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n[{request.module.__name__}] {TALLY.line()}")
    else:
        reporter.write_line(f"[{request.module.__name__}] {TALLY.line()}")


# --- the property: a clear error and nothing written, or stored as typed -------------------------

def check(service: str, payload: Any, expected: tuple[str, Any], call: Callable[[], Any],
          read: Callable[[Any], Any] | None = None, exclude: tuple[str, ...] = ()) -> Any:
    """Run ``call``; ``expected`` is ("err", key) or ("ok", stored value). On an error: a keyed core
    error, the expected key, nothing written. On success: ``read(result)`` equals the expected
    value. Any other exception (IntegrityError, DataError, ValueError...) fails the test."""
    TALLY.add(service, payload)
    before = fingerprint(exclude)
    try:
        result = call()
    except AtelierError as exc:
        assert_keyed(exc)
        assert fingerprint(exclude) == before, f"{service}: refused ({exc.key}) but something was written"
        assert expected == ("err", exc.key), \
            f"{service} {short(payload)}: expected {short(expected, 90)}, got the error {exc.key} {exc.params}"
        return exc
    assert expected[0] == "ok", f"{service} {short(payload)}: expected the error {expected[1]}, but it was accepted"
    if read is not None:
        stored = read(result)
        assert stored == expected[1], \
            f"{service} {short(payload)}: stored {short(stored)}, expected {short(expected[1])}"
    return result


# --- one room with everything a hostile input can reach -------------------------------------------

def build_world() -> Any:
    """An event with a theme and three sessions (diagnostic, recommendations, implementation), one
    sub-group and one joined participant each, a persona with a need, a barrier and a solution
    lead, a resource, a recommendation, a retained recommendation with a plan and an action, a
    registered person, and the staff actors who run it."""
    from types import SimpleNamespace

    from core.access import join
    from core.actor import SYSTEM, Actor
    from core.personas import canvas
    from core.resources import inventory
    from core.session import board, plans, recommendations
    from core.session import session_flow as flow
    from core.setup import events
    from core.signup import registration

    ev = events.create_event(SYSTEM, slug="hostile", title="Atelier hostile")["id"]
    registration.update_settings(SYSTEM, ev, None, registration_open=True)
    theme = events.add_theme(SYSTEM, ev, "Logement")["id"]
    sessions = [events.add_session(SYSTEM, theme, title=f"Séance {n}")["id"] for n in (1, 2, 3)]
    groups = [events.add_subgroup(SYSTEM, sid, f"Table {n}")["id"] for n, sid in enumerate(sessions, 1)]
    members = [join.join(sid, gid, name)[1].actor()
               for sid, gid, name in zip(sessions, groups, ("Amina", "Bruno", "Chloé"))]
    flow.set_stage(SYSTEM, sessions[1], "recommendations")
    flow.set_stage(SYSTEM, sessions[2], "implementation")
    s1, s2, s3 = sessions
    persona = canvas.create_persona(SYSTEM, s1, "Ahmed", subgroup_id=groups[0])["id"]
    need = canvas.add_need(members[0], persona, "Un logement")["id"]
    barrier = canvas.add_barrier(members[0], persona, "Le loyer")["id"]
    lead = canvas.add_solution_lead(members[0], need, "Une agence immobilière sociale")["id"]
    resource = inventory.add_resource(SYSTEM, "Agence immobilière sociale", category="housing", acronym="AIS")["id"]
    c1 = board.add_contribution(members[0], s1, "finding", "people", "Un constat")["id"]
    c2 = board.add_contribution(SYSTEM, s2, "finding", "people", "Un constat", subgroup_id=groups[1])["id"]
    rec2 = recommendations.create_recommendation(members[1], s2, "Une recommandation", "communal",
                                                 sources=[("contribution", c2)])["id"]
    c3 = board.add_contribution(SYSTEM, s3, "finding", "people", "Un constat", subgroup_id=groups[2])["id"]
    rec3 = recommendations.create_recommendation(SYSTEM, s3, "Retenue", "regional", sources=[("contribution", c3)],
                                                 subgroup_id=groups[2])["id"]
    recommendations.set_retained(SYSTEM, rec3)
    plan = plans.start_plan(members[2], rec3)["id"]
    action = plans.add_action(members[2], plan, "Agir")["id"]
    person = registration.register("hostile", first_name="Dina", email="dina@example.org", session_ids=[s1],
                                   consent=True)
    staff = dict(label="Staff", event_ids=frozenset({ev}))
    return SimpleNamespace(
        event=ev, theme=theme, s1=s1, s2=s2, s3=s3, g1=groups[0], g2=groups[1], g3=groups[2],
        m1=members[0], m2=members[1], m3=members[2], persona=persona, need=need, barrier=barrier, lead=lead,
        resource=resource, c1=c1, c2=c2, c3=c3, rec2=rec2, rec3=rec3, plan=plan, action=action,
        person_token=person.token, person_id=person.participant_id,
        org=Actor(kind="staff", id=None, role="organiser", **staff),
        fac=Actor(kind="staff", id=None, role="facilitator", **staff),
        counter=iter(range(1, 10**9)),
    )


# ui.errors.message runs outside a Streamlit script here: its "bare mode" warning is noise
import logging  # noqa: E402

import ui.errors  # noqa: E402,F401  (creates streamlit's loggers, whose level is set once, here)

for _name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.state.session_state_proxy"):
    logging.getLogger(_name).setLevel(logging.ERROR)
