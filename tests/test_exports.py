"""CSV and XLSX exports: every table, text that a spreadsheet would run as a formula stays text,
accents and inclusive writing survive."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.actor import SYSTEM
from core.entities import create
from core.errors import NotFound
from core.reporting import exports as x
from core.reporting.dashboard import DashboardFilter, event_filter
from core.setup import demo_data as D
from core.setup.events import add_session, add_theme, create_event

ROOT = Path(__file__).resolve().parent.parent
FORMULAS = ['=HYPERLINK("http://x")', "+33 2 555 00 00", "-1+1", "@SUM(A1:A9)"]
PLAIN = "Employeur·euse·s : l’accès à l’emploi « durable »"


def _board(slug: str = "export-test") -> int:
    ev = create_event(SYSTEM, slug=slug, title="Export des acteur·rice·s")
    th = add_theme(SYSTEM, ev["id"], "Thème")
    session = add_session(SYSTEM, th["id"], "2024-05-02T09:00", "2024-05-02T12:00")
    for text in [*FORMULAS, PLAIN]:
        create(SYSTEM, "contribution", session_id=session["id"], kind="finding", category="=cmd|' /C calc'!A0",
               text=text)
    return ev["id"]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 accents right
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_export_of_a_formula_contribution_opens_as_text(database):
    _board()
    rows = _csv_rows(x.export_bytes("contributions", "csv"))
    texts = [r["text"] for r in rows]
    assert texts == ["'" + f for f in FORMULAS] + [PLAIN]
    assert all(r["category"] == "'=cmd|' /C calc'!A0" for r in rows)
    assert not any(cell.startswith(x.FORMULA_START) for r in rows for cell in r.values())


def test_xlsx_export_keeps_the_exact_text_typed_as_text(database):
    _board()
    wb = load_workbook(io.BytesIO(x.export_bytes("contributions", "xlsx")))
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = header.index("text") + 1
    cells = [ws.cell(row=i, column=col) for i in range(2, ws.max_row + 1)]
    assert [c.value for c in cells] == FORMULAS + [PLAIN]
    assert all(c.data_type == "s" for c in cells)          # never a formula ("f")
    assert all(c.quotePrefix for c in cells[: len(FORMULAS)])
    created = ws.cell(row=2, column=header.index("created_at") + 1)
    assert isinstance(created.value, dt.datetime)           # dates stay dates, numbers stay numbers
    assert isinstance(ws.cell(row=2, column=header.index("contribution_id") + 1).value, int)


def test_numbers_stay_numbers_and_headers_are_neutralised_too():
    df = pd.DataFrame({"=bad header": ["@x", "ok", None], "amount": [-5, 3, 0]})
    rows = list(csv.reader(io.StringIO(x.to_csv(df).decode("utf-8-sig"))))
    assert rows == [["'=bad header", "amount"], ["'@x", "-5"], ["ok", "3"], ["", "0"]]
    assert x.neutralise("\t=1+1") == "'\t=1+1" and x.neutralise(-5) == -5
    wb = load_workbook(io.BytesIO(x.to_xlsx({"a/b:c": df, "a?b*c": df})))
    assert wb.sheetnames == ["a b c", "a b c (2)"]
    assert wb["a b c"]["B2"].value == -5 and wb["a b c"]["A1"].value == "=bad header"


def test_every_table_exports_for_an_event_and_all_tables_in_one_workbook(seeded):
    _board()
    flt = event_filter("partners-day-2024")
    for name in x.TABLES:
        df = x.export_table(name, flt)
        assert isinstance(df, pd.DataFrame), name
        assert _csv_rows(x.to_csv(df)) is not None
    personas = x.export_table("personas", flt)
    assert list(personas["name"]) == ["Ahmed", "Amir", "Éric", "Fatoumata", "Paulette", "Sofia"]
    leads = x.export_table("solution_leads", flt)
    assert leads["resources"].str.contains("CPAS").any()
    wb = load_workbook(io.BytesIO(x.export_bytes("all", "xlsx", flt)))
    assert wb.sheetnames == list(x.TABLES)
    # the event filter keeps the other event's board out
    assert "Export des acteur·rice·s" not in set(x.export_table("contributions", flt)["event"])
    expected = len(D.PARTNERS_DAY["contributions"]) + len(FORMULAS) + 1
    assert len(x.export_table("contributions", DashboardFilter())) == expected


def test_unknown_table_or_format_is_a_clear_error(database):
    with pytest.raises(NotFound) as err:
        x.export_table("passwords")
    assert err.value.key == "error.export_unknown_table" and "contributions" in err.value.params["tables"]
    with pytest.raises(NotFound) as err:
        x.export_bytes("votes", "ods")
    assert err.value.key == "error.export_unknown_format"
    with pytest.raises(NotFound) as err:
        x.export_bytes("all", "csv")
    assert err.value.key == "error.export_all_needs_xlsx"


def test_export_command_writes_safe_csv_and_xlsx(database, tmp_path):
    _board()
    env = {**os.environ, "ATELIER_DATABASE_URL": database}

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True,
                              env=env, timeout=120)

    out = tmp_path / "board.csv"
    assert manage("export", "--table", "contributions", "--format", "csv", "--out", str(out)).returncode == 0
    assert [r["text"] for r in _csv_rows(out.read_bytes())][0] == "'=HYPERLINK(\"http://x\")"
    book = tmp_path / "all.xlsx"
    assert manage("export", "--table", "all", "--format", "xlsx", "--event", "export-test",
                  "--out", str(book)).returncode == 0
    assert load_workbook(book)["contributions"].max_row == len(FORMULAS) + 2
    bad = manage("export", "--table", "nope", "--format", "csv", "--out", str(out))
    assert bad.returncode == 2 and "Unknown table: nope" in bad.stderr


def test_participation_export_counts_joins_by_code_per_session(seeded):
    from tests.test_dashboard import build_joined_only_event

    room = build_joined_only_event()
    table = x.export_table("participation", event_filter(room.slug))
    assert list(table["joined"]) == [5, 2] and list(table["registered"]) == [0, 0]
    assert [row["joined"] for row in _csv_rows(x.to_csv(table))] == ["5", "2"]
