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
    from core.seed import database_is_empty, seed_demo

    if args.if_empty and not database_is_empty():
        print("database not empty: demo data not loaded")
        return 0
    report = seed_demo()
    print(f"demo data: created {', '.join(report['created']) or 'nothing'}; "
          f"already present {', '.join(report['skipped']) or 'nothing'}")
    return 0


@command("list-events", "list events", arg("--json", action="store_true"))
def cmd_list_events(args: argparse.Namespace) -> int:
    from core.events import list_events

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
    from core.stats import counts

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
    from core import accounts
    from core.events import get_event

    events = [get_event(slug) for slug in args.event]
    user = accounts.create_user(args.username, args.role, args.name, args.email, _read_password())
    for event in events:
        accounts.attach_to_event(user.username, event.id)
    print(f"created {user.username} ({user.role})")
    return 0


@command("set-password", "set a staff password (read from standard input); logs the user out everywhere",
         arg("--username", required=True))
def cmd_set_password(args: argparse.Namespace) -> int:
    from core import accounts

    accounts.set_password(args.username, _read_password())
    print(f"password changed for {args.username}")
    return 0


@command("deactivate-user", "deactivate a staff account; logs the user out on their next click",
         arg("--username", required=True))
def cmd_deactivate_user(args: argparse.Namespace) -> int:
    from core import accounts

    accounts.set_active(args.username, False)
    print(f"deactivated {args.username}")
    return 0


@command("list-users", "list staff accounts", arg("--json", action="store_true"))
def cmd_list_users(args: argparse.Namespace) -> int:
    from core import accounts

    rows = [{"username": u.username, "name": u.name, "email": u.email, "role": u.role, "active": u.active,
             "events": sorted(u.event_ids)} for u in accounts.list_users()]
    if args.json:
        _print_json(rows)
    else:
        for r in rows:
            print(f"{r['username']:20} {r['role']:12} {'active' if r['active'] else 'inactive':9} {r['name']}")
    return 0


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
