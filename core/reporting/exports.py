"""Spreadsheet exports: CSV and XLSX of any DataFrame, and ready-made exports of the main tables.

Formula injection: a spreadsheet runs a cell that starts with ``= + - @`` (or a tab / carriage
return) as a formula, so text typed by a participant such as ``=HYPERLINK("http://x")`` must never
reach a spreadsheet as such (OWASP "CSV injection").
- CSV has no types: such a cell is prefixed with an apostrophe, which spreadsheets show as text.
- XLSX has types: such a cell is written as a string with Excel's "quote prefix" style, so the
  text is kept exactly and opens as text (openpyxl would otherwise store it as a formula).
Numbers stay numbers (a negative amount is not text).

CSV files are UTF-8 with a byte-order mark (Excel then reads accents and ``·`` right), comma
separated, RFC 4180 quoting.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import Select, select

from core.errors import NotFound
from core.reporting.dashboard import (
    DashboardFilter,
    _events,
    _items,
    _leads,
    _personas,
    _recommendations,
    _sessions,
    mood,
    participation,
    plan_actions,
    recommendations_ranked,
    session_labels,
)
from storage import db
from storage import models as m

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
_EVERYTHING = DashboardFilter()   # the default scope (frozen, so one shared instance is safe)


def is_risky(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made inert for CSV (leading apostrophe)."""
    return "'" + value if is_risky(value) else value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM), every risky text cell neutralised."""
    return neutralise_frame(df).to_csv(index=False).encode("utf-8-sig")


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return value.item()
    if isinstance(value, (list, tuple, set, dict)):
        return str(value)
    return value


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", name).strip()[:31] or "data"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def to_xlsx(sheets: pd.DataFrame | dict[str, pd.DataFrame], sheet_name: str = "data") -> bytes:
    """XLSX bytes: one sheet per DataFrame, bold header row, text cells never run as formulas."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet_name: sheets}
    wb = Workbook(write_only=True)
    used: set[str] = set()
    bold = Font(bold=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(_sheet_title(str(name), used))

        def cell(value: Any, header: bool = False, ws: Any = ws) -> Any:  # called in this iteration only
            value = _cell_value(value)
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, str) and (is_risky(value) or c.data_type != "s"):
                c.data_type = "s"          # text stays text, whatever it starts with
                c.quotePrefix = True
            if isinstance(value, dt.datetime):
                c.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                c.number_format = "yyyy-mm-dd"
            if header:
                c.font = bold
            return c

        ws.append([cell(str(col), header=True) for col in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- exports of the main tables, with their context (event, theme, session, persona) ----------

def _frame(q: Select, columns: list[str]) -> pd.DataFrame:
    with db.read_session() as s:
        rows = s.execute(q).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _with_sessions(f: DashboardFilter, df: pd.DataFrame) -> pd.DataFrame:
    labels = session_labels(f).drop(columns=["starts_at"])
    out = labels.merge(df, on="session_id", how="inner")
    return out


def export_events(f: DashboardFilter) -> pd.DataFrame:
    E = m.Event
    return _frame(select(E.id, E.slug, E.title, E.organisers, E.place, E.starts_on, E.ends_on, E.participant_cap,
                         E.per_org_cap).where(E.id.in_(_events(f))).order_by(E.id),
                  ["event_id", "slug", "title", "organisers", "place", "starts_on", "ends_on", "participant_cap",
                   "per_org_cap"])


def export_sessions(f: DashboardFilter) -> pd.DataFrame:
    S = m.WorkshopSession
    df = _frame(select(S.id, S.starts_at, S.ends_at, S.stage, S.status).where(S.id.in_(_sessions(f))),
                ["session_id", "starts_at", "ends_at", "stage", "status"])
    return _with_sessions(f, df)


def export_personas(f: DashboardFilter) -> pd.DataFrame:
    P = m.Persona
    df = _frame(select(P.id, P.session_id, P.name, P.age, P.origin, P.facts, P.note).where(P.id.in_(_personas(f)))
                .order_by(P.id), ["persona_id", "session_id", "name", "age", "origin", "facts", "note"])
    df["facts"] = df["facts"].map(lambda facts: " | ".join(facts or []))
    return _with_sessions(f, df)


def export_canvas_items(f: DashboardFilter) -> pd.DataFrame:
    C, P = m.CanvasItem, m.Persona
    df = _frame(select(C.id, P.session_id, P.name, C.kind, C.nature, C.category, C.text, C.created_at)
                .join(P, P.id == C.persona_id).where(C.id.in_(_items(f))).order_by(C.id),
                ["item_id", "session_id", "persona", "kind", "nature", "category", "text", "created_at"])
    return _with_sessions(f, df)


def export_solution_leads(f: DashboardFilter) -> pd.DataFrame:
    L, C, P, LR, R = m.SolutionLead, m.CanvasItem, m.Persona, m.LeadResource, m.Resource
    resources = (select(LR.lead_id, R.acronym, R.name).join(R, R.id == LR.resource_id)
                 .where(LR.lead_id.in_(_leads(f)), R.deleted_at.is_(None)).order_by(LR.lead_id, R.name))
    links: dict[int, list[str]] = {}
    with db.read_session() as s:
        for lead_id, acronym, name in s.execute(resources):
            links.setdefault(lead_id, []).append(f"{acronym} — {name}" if acronym and acronym != name else name)
    df = _frame(select(L.id, P.session_id, P.name, C.text, L.text).join(C, C.id == L.need_id)
                .join(P, P.id == C.persona_id).where(L.id.in_(_leads(f))).order_by(L.id),
                ["lead_id", "session_id", "persona", "need", "lead"])
    df["resources"] = df["lead_id"].map(lambda i: " | ".join(links.get(i, [])))
    return _with_sessions(f, df)


def export_resources(f: DashboardFilter) -> pd.DataFrame:
    R = m.Resource
    return _frame(select(R.id, R.acronym, R.name, R.category, R.description, R.organisation_name, R.address,
                         R.phone, R.email, R.url).where(R.deleted_at.is_(None), R.merged_into_id.is_(None))
                  .order_by(R.category, R.name),
                  ["resource_id", "acronym", "name", "category", "description", "organisation", "address", "phone",
                   "email", "url"])


def export_contributions(f: DashboardFilter) -> pd.DataFrame:
    C, G = m.Contribution, m.Subgroup
    df = _frame(select(C.id, C.session_id, G.name, C.kind, C.category, C.text, C.created_at)
                .outerjoin(G, G.id == C.subgroup_id)
                .where(C.deleted_at.is_(None), C.session_id.in_(_sessions(f))).order_by(C.id),
                ["contribution_id", "session_id", "subgroup", "kind", "category", "text", "created_at"])
    return _with_sessions(f, df)


def export_recommendations(f: DashboardFilter) -> pd.DataFrame:
    return recommendations_ranked(f)


def export_votes(f: DashboardFilter) -> pd.DataFrame:
    V, G, R = m.Vote, m.Subgroup, m.Recommendation
    df = _frame(select(V.id, V.session_id, G.name, R.title, V.created_at).join(G, G.id == V.subgroup_id)
                .join(R, R.id == V.recommendation_id).where(V.recommendation_id.in_(_recommendations(f)))
                .order_by(V.id), ["vote_id", "session_id", "subgroup", "recommendation", "created_at"])
    return _with_sessions(f, df)


def export_plan_actions(f: DashboardFilter) -> pd.DataFrame:
    return plan_actions(f)


def export_mood_checks(f: DashboardFilter) -> pd.DataFrame:
    return mood(f)


def export_participation(f: DashboardFilter) -> pd.DataFrame:
    return participation(f)


TABLES: dict[str, Callable[[DashboardFilter], pd.DataFrame]] = {
    "events": export_events,
    "sessions": export_sessions,
    "personas": export_personas,
    "canvas_items": export_canvas_items,
    "solution_leads": export_solution_leads,
    "resources": export_resources,
    "contributions": export_contributions,
    "recommendations": export_recommendations,
    "votes": export_votes,
    "plan_actions": export_plan_actions,
    "mood_checks": export_mood_checks,
    "participation": export_participation,
}


def export_table(name: str, f: DashboardFilter = _EVERYTHING) -> pd.DataFrame:
    """One of ``TABLES`` as a DataFrame (live rows in scope, with readable context)."""
    fn = TABLES.get(name)
    if fn is None:
        raise NotFound("error.export_unknown_table", field="table", table=name, tables=", ".join(TABLES))
    return fn(f)


def export_all(f: DashboardFilter = _EVERYTHING) -> dict[str, pd.DataFrame]:
    return {name: fn(f) for name, fn in TABLES.items()}


def export_bytes(name: str, fmt: str, f: DashboardFilter = _EVERYTHING) -> bytes:
    """``name`` (a table, or ``all`` for XLSX: one sheet per table) as CSV or XLSX bytes."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound("error.export_unknown_format", field="format", format=fmt)
    if name == "all":
        if fmt == "csv":
            raise NotFound("error.export_all_needs_xlsx", field="format")
        return to_xlsx(export_all(f))
    df = export_table(name, f)
    return to_csv(df) if fmt == "csv" else to_xlsx(df, sheet_name=name)


__all__ = ["CSV_MIME", "TABLES", "XLSX_MIME", "export_all", "export_bytes", "export_table", "is_risky", "neutralise",
           "neutralise_frame", "to_csv", "to_xlsx"]
