#!/usr/bin/env python3
"""Atelier command line: database setup, demo data, reports.

    python manage.py init-db                 # create or upgrade the schema (Alembic, to head)
    python manage.py seed-demo [--if-empty]  # load the demo events (idempotent)
    python manage.py list-events --json
    python manage.py stats [--event SLUG] --json
    python manage.py check                   # database reachable, schema at head, cookie key set
    python manage.py --version               # atelier 1.0.0

``ATELIER_DATABASE_URL`` selects the database (default: SQLite under data/).
Errors exit non-zero with a one-line message.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Handler, str, tuple[tuple[tuple[str, ...], dict[str, Any]], ...]]] = {}


def arg(*flags: str, **kwargs: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One argparse argument of a command: ``arg("--event", metavar="SLUG")``."""
    return flags, kwargs


def command(name: str, help: str, *args: tuple[tuple[str, ...], dict[str, Any]]) -> Callable[[Handler], Handler]:
    """Register a sub-command with its arguments; the handler returns the exit code."""
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = (fn, help, args)
        return fn
    return register


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str))


def upgrade_to_head() -> None:
    from alembic import command as alembic_command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["skip_logging"] = True
    alembic_command.upgrade(cfg, "head")


@command("init-db", "create or upgrade the database schema")
def cmd_init_db(args: argparse.Namespace) -> int:
    upgrade_to_head()
    print("database ready")
    return 0


@command("seed-demo", "load the demo events from the source documents",
         arg("--if-empty", action="store_true", help="only when the database has no event"))
def cmd_seed_demo(args: argparse.Namespace) -> int:
    from core.setup.seed import database_is_empty, seed_demo

    if args.if_empty and not database_is_empty():
        print("database not empty: demo data not loaded")
        return 0
    report = seed_demo()
    print(f"demo data: created {', '.join(report['created']) or 'nothing'}; "
          f"already present {', '.join(report['skipped']) or 'nothing'}")
    return 0


@command("list-events", "list events", arg("--json", action="store_true"))
def cmd_list_events(args: argparse.Namespace) -> int:
    from core.setup.events import list_events

    events = list_events(include_archived=True)
    rows = [{"slug": ev.slug, "title": ev.title,
             "starts_on": ev.starts_on.isoformat() if ev.starts_on else None,
             "ends_on": ev.ends_on.isoformat() if ev.ends_on else None,
             "themes": len(ev.themes), "sessions": len(ev.sessions)} for ev in events]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{r['slug']:40} {r['starts_on'] or '':10} → {r['ends_on'] or '':10}  {r['title']}")
    return 0


@command("stats", "counts of what the workshops produced",
         arg("--event", metavar="SLUG"), arg("--json", action="store_true"))
def cmd_stats(args: argparse.Namespace) -> int:
    from core.reporting.stats import counts

    data = counts(args.event)
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key:16} {value}")
    return 0


def _read_password() -> str:
    """The password from standard input, never from the command line (it would show in `ps` and
    the shell history): typed twice at a terminal, or the first line of a pipe."""
    import getpass

    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise SystemExit("error: the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@command("create-user", "create a staff account (password read from standard input)",
         arg("--username", required=True), arg("--role", required=True, choices=("admin", "organiser", "facilitator")),
         arg("--name", required=True), arg("--email", default=""),
         arg("--event", action="append", default=[], metavar="SLUG", help="attach to this event (repeatable)"))
def cmd_create_user(args: argparse.Namespace) -> int:
    from core.access import accounts
    from core.setup.events import get_event

    events = [get_event(slug) for slug in args.event]
    user = accounts.create_user(args.username, args.role, args.name, args.email, _read_password())
    for event in events:
        accounts.attach_to_event(user.username, event.id)
    print(f"created {user.username} ({user.role})")
    return 0


@command("set-password", "set a staff password (read from standard input); logs the user out everywhere",
         arg("--username", required=True))
def cmd_set_password(args: argparse.Namespace) -> int:
    from core.access import accounts

    accounts.set_password(args.username, _read_password())
    print(f"password changed for {args.username}")
    return 0


@command("deactivate-user", "deactivate a staff account; logs the user out on their next click",
         arg("--username", required=True))
def cmd_deactivate_user(args: argparse.Namespace) -> int:
    from core.access import accounts

    accounts.set_active(args.username, False)
    print(f"deactivated {args.username}")
    return 0


@command("unlock-user", "forget the recent failed logins of a username (after someone else's guesses locked it)",
         arg("--username", required=True))
def cmd_unlock_user(args: argparse.Namespace) -> int:
    from core.access import accounts

    forgotten = accounts.unlock_login(args.username)
    print(f"unlocked {args.username} ({forgotten} recent failures forgotten)")
    return 0


@command("list-users", "list staff accounts", arg("--json", action="store_true"))
def cmd_list_users(args: argparse.Namespace) -> int:
    from core.access import accounts

    rows = [{"username": u.username, "name": u.name, "email": u.email, "role": u.role, "active": u.active,
             "events": sorted(u.event_ids)} for u in accounts.list_users()]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{r['username']:20} {r['role']:12} {'active' if r['active'] else 'inactive':9} {r['name']}")
    return 0


# --- dashboards, exports, booklet, backup (issue 7) -----------------------------------------

def _alembic_upgrade(revision: str) -> None:
    from alembic import command as alembic_command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["skip_logging"] = True
    alembic_command.upgrade(cfg, revision)


@command("backup", "write the whole database to a JSON file",
         arg("--out", required=True, metavar="FILE.json"))
def cmd_backup(args: argparse.Namespace) -> int:
    from core.reporting.backup import write_backup

    rows = write_backup(args.out)
    print(f"backup written to {args.out}: {sum(rows.values())} rows in {len(rows)} tables")
    return 0


@command("restore", "load a JSON backup into an empty database (migrated to the backup's schema, then to head)",
         arg("--in", dest="infile", required=True, metavar="FILE.json"))
def cmd_restore(args: argparse.Namespace) -> int:
    from core.reporting.backup import read_backup, restore_data, schema_revision
    from storage import db

    data = read_backup(args.infile)
    revision = data.get("schema_revision") if isinstance(data, dict) else None
    with db.get_engine().connect() as conn:
        current = schema_revision(conn)
    if revision and current is None:
        _alembic_upgrade(revision)   # a blank database gets the schema the backup was taken from
    rows = restore_data(data)
    upgrade_to_head()
    print(f"restored {sum(rows.values())} rows in {len(rows)} tables from {args.infile}")
    return 0


@command("export-booklet", "write an event's recommendations booklet (or report) as DOCX or PDF",
         arg("--event", required=True, metavar="SLUG"), arg("--format", choices=("docx", "pdf"), required=True),
         arg("--out", required=True, metavar="FILE"), arg("--lang", choices=("fr", "en", "nl"), default="fr"),
         arg("--edition", choices=("first", "follow_up"), default="first",
             help="first: the workshops' booklet; follow_up: regenerated with the follow-up, dated today"))
def cmd_export_booklet(args: argparse.Namespace) -> int:
    from core.reporting.booklet import export_booklet

    data = export_booklet(args.event, args.format, args.lang, edition=args.edition)
    Path(args.out).write_bytes(data)
    print(f"booklet written to {args.out} ({len(data)} bytes)")
    return 0


@command("export-open-data", "write an event's follow-up as open data: a ZIP of CSV files, a JSON file, a README "
         "and the answers' documents (no personal data)",
         arg("--event", required=True, metavar="SLUG"), arg("--out", required=True, metavar="FILE"),
         arg("--lang", choices=("fr", "en", "nl"), default="fr", help="the language of the README"))
def cmd_export_open_data(args: argparse.Namespace) -> int:
    from core.followup.public import open_data_zip

    data = open_data_zip(args.event, args.lang)
    Path(args.out).write_bytes(data)
    print(f"open data written to {args.out} ({len(data)} bytes)")
    return 0


@command("export", "export a table (or all tables, XLSX) as CSV or XLSX, cells safe against formula injection",
         arg("--table", required=True, metavar="NAME", help="a table name, or 'all' (XLSX, one sheet per table)"),
         arg("--format", choices=("csv", "xlsx"), required=True), arg("--out", required=True, metavar="FILE"),
         arg("--event", metavar="SLUG", help="only this event"))
def cmd_export(args: argparse.Namespace) -> int:
    from core.reporting.dashboard import DashboardFilter, event_filter
    from core.reporting.exports import export_bytes

    flt = event_filter(args.event) if args.event else DashboardFilter()
    data = export_bytes(args.table, args.format, flt)
    Path(args.out).write_bytes(data)
    print(f"{args.table} written to {args.out} ({len(data)} bytes)")
    return 0


@command("purge-personal-data", "erase participants' personal data of events past their retention period",
         arg("--dry-run", action="store_true", help="only count who would be erased"),
         arg("--json", action="store_true"))
def cmd_purge_personal_data(args: argparse.Namespace) -> int:
    from core.signup.privacy import purge_expired

    report = purge_expired(dry_run=args.dry_run)
    rows = [{"event": r.event_slug, "last_day": r.last_day.isoformat(), "purge_on": r.purge_on.isoformat(),
             ("would_erase" if args.dry_run else "erased"): r.erased} for r in report]
    if args.json:
        _print_json(rows)
    else:
        for r in report:
            print(f"{r.event_slug:40} ended {r.last_day}  {'would erase' if args.dry_run else 'erased'} {r.erased}")
        if not report:
            print("no event past its retention period")
    return 0


# --- readiness: manage.py check, and the /_stcore/health of serve.py ---------------------------

MIN_COOKIE_KEY_LENGTH = 32   # as ui.auth.MIN_KEY_LENGTH (tests/test_packaging.py keeps them equal)


def _alembic_config():  # noqa: ANN202 - alembic.config.Config, imported late (a light --version)
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["skip_logging"] = True
    return cfg


def schema_heads() -> set[str]:
    """The newest migration(s) this code knows (read from migrations/ once per process)."""
    global _HEADS
    if _HEADS is None:
        from alembic.script import ScriptDirectory

        _HEADS = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    return _HEADS


_HEADS: set[str] | None = None


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc.__cause__ or exc
    text_ = str(orig).strip().splitlines()
    return f"{type(orig).__name__}: {text_[0]}" if text_ else type(orig).__name__


def check_database_and_schema() -> list[tuple[str, bool, str]]:
    """``(name, ok, detail)`` for "database" (reachable) and "schema" (migrated to head). The
    database URL is shown without its password; a missing SQLite file is reported, never created."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from storage import db

    url = db.database_url()
    try:
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is a failed check, not a stack trace
        return [("database", False, "ATELIER_DATABASE_URL is not a database URL"),
                ("schema", False, "not checked (no database)")]
    if db.is_sqlite(url) and parsed.database not in (None, "", ":memory:") and not Path(parsed.database).is_file():
        return [("database", False, f"{shown}: no such file (run `manage.py init-db`)"),
                ("schema", False, "not checked (no database)")]
    try:
        with db.get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - unreachable, refused, locked...: one line
        return [("database", False, f"{shown} unreachable ({_first_line(exc)})"),
                ("schema", False, "not checked (database unreachable)")]
    heads = schema_heads()
    if current == heads:
        schema = ("schema", True, f"at head ({', '.join(sorted(heads))})")
    elif not current:
        schema = ("schema", False, "empty database, no schema: run `manage.py init-db`")
    else:
        schema = ("schema", False, f"at {', '.join(sorted(current))}, the code needs {', '.join(sorted(heads))}: "
                                   "run `manage.py init-db`")
    return [("database", True, f"{shown} reachable"), schema]


def check_cookie_key() -> tuple[str, bool, str]:
    """The key signing staff cookies, found as ui.auth.cookie_key() finds it (environment, then
    ``cookie_key`` in .streamlit/secrets.toml; demo mode generates one). The key is never printed."""
    import tomllib

    key, source = os.environ.get("ATELIER_COOKIE_KEY", ""), "ATELIER_COOKIE_KEY"
    secrets_file = ROOT / ".streamlit" / "secrets.toml"
    if not key and secrets_file.is_file():
        try:
            key = str(tomllib.loads(secrets_file.read_text(encoding="utf-8")).get("cookie_key") or "")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            key = ""   # a malformed secrets file counts as missing, as in the app
        source = ".streamlit/secrets.toml"
    if len(key) >= MIN_COOKIE_KEY_LENGTH:
        return "cookie key", True, f"set ({source})"
    if os.environ.get("ATELIER_DEMO") == "1":
        return "cookie key", True, "demo mode (a generated key under data/)"
    if key:
        return "cookie key", False, (f"{source} has {len(key)} characters, {MIN_COOKIE_KEY_LENGTH} needed: "
                                     "the app refuses to start")
    return "cookie key", False, ("ATELIER_COOKIE_KEY is not set (nor cookie_key in .streamlit/secrets.toml): "
                                 "the app refuses to start")


def check_server(base_url: str) -> tuple[str, bool, str]:
    """The running app answers its health endpoint (which checks the database too, see serve.py)."""
    import urllib.error
    import urllib.request

    url = base_url.rstrip("/") + "/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return "server", True, f"{url}: {response.status} {response.read(200).decode(errors='replace').strip()}"
    except urllib.error.HTTPError as exc:
        return "server", False, f"{url}: {exc.code} {exc.read(200).decode(errors='replace').strip()}"
    except (OSError, ValueError) as exc:
        return "server", False, f"{url}: {exc}"


def readiness_checks() -> list[tuple[str, bool, str]]:
    """What an app process needs to serve: the database reachable, its schema at head, a cookie key."""
    return [*check_database_and_schema(), check_cookie_key()]


@command("check", "check the database is reachable and migrated to head and the cookie key is set "
                  "(one line per check; non-zero exit when one fails: the deployments' health check)",
         arg("--server", metavar="URL", help="also ask the running app at URL (its /_stcore/health)"))
def cmd_check(args: argparse.Namespace) -> int:
    results = readiness_checks()
    if args.server:
        results.append(check_server(args.server))
    for name, ok, detail in results:
        print(f"{'ok' if ok else 'FAIL':4}  {name:10}  {detail}")
    failed = [f"{name}: {detail}" for name, ok, detail in results if not ok]
    if failed:
        print(f"error: {failed[0]}" + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""), file=sys.stderr)
        return 1
    return 0


@command("send-outbox", "send queued emails (needs ATELIER_SMTP_HOST)")
def cmd_send_outbox(args: argparse.Namespace) -> int:
    from core.signup.invitations import deliver_pending, given_up_count

    report = deliver_pending()
    if report.updates_queued:
        print(f"queued {report.updates_queued} calendar update(s) for sessions that moved")
    if not report.configured:
        print("error: ATELIER_SMTP_HOST is not set: emails stay in the outbox", file=sys.stderr)
        return 2
    if report.error:
        print(f"error: mail server unreachable ({report.error}): emails stay in the outbox", file=sys.stderr)
        return 1
    print(f"sent {report.sent}, failed {report.failed} (tried again later), given up {len(report.given_up)}")
    for item in report.given_up:
        print(f"given up: email {item.id} to {item.to_address}: {item.error}", file=sys.stderr)
    total = given_up_count()
    if total:
        print(f"{total} email(s) given up in all: see the outbox of their event")
    return 1 if report.failed or report.given_up else 0


def build_parser() -> argparse.ArgumentParser:
    from core import __version__

    parser = argparse.ArgumentParser(prog="manage.py", description="Atelier command line")
    parser.add_argument("--version", action="version", version=f"atelier {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_fn, help_text, args) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        for flags, kwargs in args:
            p.add_argument(*flags, **kwargs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from core.errors import AtelierError
    from core.i18n import translate

    lang = os.environ.get("ATELIER_LANG", "en")
    try:
        return COMMANDS[args.command][0](args)
    except AtelierError as exc:
        print(f"error: {translate(lang, exc.key, **exc.params)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, never a stack trace
        print(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
