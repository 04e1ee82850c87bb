#!/usr/bin/env python3
"""Atelier command line: database setup, demo data, reports.

    python manage.py init-db                 # create or upgrade the schema (Alembic, to head)
    python manage.py seed-demo [--if-empty]  # load the demo events (idempotent)
    python manage.py list-events --json
    python manage.py stats [--event SLUG] --json

``ATELIER_DATABASE_URL`` selects the database (default: SQLite under data/).
Errors exit non-zero with a one-line message.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

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
         arg("--out", required=True, metavar="FILE"), arg("--lang", choices=("fr", "en", "nl"), default="fr"))
def cmd_export_booklet(args: argparse.Namespace) -> int:
    from core.reporting.booklet import export_booklet

    data = export_booklet(args.event, args.format, args.lang)
    Path(args.out).write_bytes(data)
    print(f"booklet written to {args.out} ({len(data)} bytes)")
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
         arg("--dry-run", action="store_true", help="only count who would be erased"), arg("--json", action="store_true"))
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


@command("send-outbox", "send queued emails (needs ATELIER_SMTP_HOST)")
def cmd_send_outbox(args: argparse.Namespace) -> int:
    from core.signup.invitations import deliver_pending

    report = deliver_pending()
    if not report.configured:
        print("error: ATELIER_SMTP_HOST is not set: emails stay in the outbox", file=sys.stderr)
        return 2
    print(f"sent {report.sent}, failed {report.failed}")
    return 1 if report.failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description="Atelier command line")
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
