#!/usr/bin/env python3
"""Atelier's scheduled jobs: the outbox every 10 minutes, the personal-data purge and a backup
every night. One implementation for both deployments:

    python deploy/jobs.py loop              # compose.yaml's `jobs` service: runs each job when due
    python deploy/jobs.py run backup        # one job now (the systemd timers in deploy/ call this)
    python deploy/jobs.py run all           # every job once, in order
    python deploy/jobs.py list              # the jobs, their schedule and command

Each job is a ``manage.py`` command run in a child process (a crash or a leak stays there), with
one log line per run. ``backup`` writes ``ATELIER_BACKUP_DIR/atelier-YYYYmmdd-HHMMSS.json``
(mode 0600: it holds the staff password hashes) and keeps the ``ATELIER_BACKUP_KEEP`` newest.
``send-outbox`` without SMTP settings is not a failure here: the emails wait in the outbox.
Nightly jobs run at ``ATELIER_NIGHTLY_AT`` (HH:MM, local time of the container or machine).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
OUTBOX_EVERY_S = 600
DEFAULT_NIGHTLY_AT = "03:00"
DEFAULT_BACKUP_KEEP = 14
OUTBOX_NOT_CONFIGURED = 2          # manage.py send-outbox's exit code without ATELIER_SMTP_HOST


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]       # the manage.py command and its arguments ("{out}": the backup file)
    every_s: int | None = None     # every so many seconds, or
    nightly: bool = False          # once a night at ATELIER_NIGHTLY_AT


JOBS = (
    Job("send-outbox", ("send-outbox",), every_s=OUTBOX_EVERY_S),
    Job("purge-personal-data", ("purge-personal-data",), nightly=True),
    Job("backup", ("backup", "--out", "{out}"), nightly=True),
)


def backup_dir() -> Path:
    return Path(os.environ.get("ATELIER_BACKUP_DIR") or ROOT / "data" / "backups")


def backup_keep() -> int:
    try:
        return max(1, int(os.environ.get("ATELIER_BACKUP_KEEP") or DEFAULT_BACKUP_KEEP))
    except ValueError:
        return DEFAULT_BACKUP_KEEP


def nightly_at() -> dt.time:
    try:
        return dt.time.fromisoformat(os.environ.get("ATELIER_NIGHTLY_AT") or DEFAULT_NIGHTLY_AT)
    except ValueError:
        return dt.time.fromisoformat(DEFAULT_NIGHTLY_AT)


def log(message: str) -> None:
    print(f"{dt.datetime.now().isoformat(timespec='seconds')} {message}", flush=True)


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest ``atelier-*.json`` backups; returns the deleted ones."""
    old = sorted(folder.glob("atelier-*.json"))[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def run(job: Job) -> int:
    """Run one job now in a child process; its exit code (0 also when the outbox has no SMTP)."""
    args = list(job.command)
    if "{out}" in args:
        folder = backup_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        out = folder / f"atelier-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        args = [str(out) if a == "{out}" else a for a in args]
    done = subprocess.run([sys.executable, str(MANAGE), *args], cwd=ROOT, capture_output=True, text=True)
    said = (done.stdout.strip() or done.stderr.strip()).splitlines()
    line = said[-1] if said else ""
    if job.name == "send-outbox" and done.returncode == OUTBOX_NOT_CONFIGURED:
        log(f"{job.name}: skipped, no SMTP settings (emails wait in the outbox)")
        return 0
    if done.returncode == 0 and job.name == "backup":
        gone = prune_backups(backup_dir(), backup_keep())
        line += f"; {len(gone)} older backup(s) removed" if gone else ""
    log(f"{job.name}: {'ok' if done.returncode == 0 else f'FAILED ({done.returncode})'}: {line}")
    return done.returncode


def is_due(job: Job, last_run: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether ``job`` should run at ``now``: every_s after its last run, or once past tonight's
    ATELIER_NIGHTLY_AT when it has not run since."""
    if job.every_s is not None:
        return last_run is None or (now - last_run).total_seconds() >= job.every_s
    at = dt.datetime.combine(now.date(), nightly_at())
    return now >= at and (last_run is None or last_run < at)


def loop() -> None:
    """Run every job when due, forever (compose.yaml's `jobs` service). A nightly job missed while
    the container was down does not run at start: it waits for the next night."""
    started = dt.datetime.now()
    last: dict[str, dt.datetime | None] = {
        j.name: (None if j.every_s else started) for j in JOBS}   # nightly: not at start
    log(f"jobs: {', '.join(j.name for j in JOBS)}; nightly at {nightly_at():%H:%M}; backups in {backup_dir()}")
    while True:
        now = dt.datetime.now()
        for job in JOBS:
            if is_due(job, last[job.name], now):
                run(job)
                last[job.name] = dt.datetime.now()
        time.sleep(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jobs.py", description="Atelier's scheduled jobs")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("loop", help="run each job when due, forever")
    one = sub.add_parser("run", help="run one job (or all) now")
    one.add_argument("job", choices=[j.name for j in JOBS] + ["all"])
    sub.add_parser("list", help="the jobs and their schedule")
    args = parser.parse_args(argv)
    if args.action == "list":
        for job in JOBS:
            when = f"every {job.every_s // 60} min" if job.every_s else f"nightly at {nightly_at():%H:%M}"
            print(f"{job.name:20} {when:18} manage.py {' '.join(job.command)}")
        return 0
    if args.action == "run":
        codes = [run(job) for job in JOBS if args.job in (job.name, "all")]
        return max(codes)
    try:
        loop()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
