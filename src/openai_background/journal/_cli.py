"""``openai-background jobs list|show|resume|forget --journal PATH_OR_URL``: the journal from a shell.

``resume`` waits for every pending job through ``client.responses.resume`` (the one poll program), prints
one line per job as it ends on stderr (``--json``: one JSON object per job on stdout) and exits with the
``wait`` command's statuses: 0 when every job completed, else the highest status among the jobs' ends
(130 on Ctrl-C). The API key is read from ``OPENAI_API_KEY`` only and never printed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from typing import Any, TextIO

from .._outcome import ExitStatus, Report, exit_status_for, outcome_fields

__all__ = ["add_jobs_parser", "run_jobs"]

STATUSES = ("queued", "in_progress", "completed", "failed", "incomplete", "cancelled")


def add_jobs_parser(commands: Any) -> None:
    """Add ``jobs`` and its subcommands to the ``openai-background`` parser's subcommands."""
    jobs = commands.add_parser("jobs", help="the journal of background jobs: list, show, resume, forget")
    sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="JOBS_COMMAND")

    def journal_arg(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--journal",
            required=True,
            metavar="PATH_OR_URL",
            help="the journal: a SQLite file path or a postgresql:// URL",
        )

    listing = sub.add_parser("list", help="list the jobs of the journal, oldest first")
    journal_arg(listing)
    listing.add_argument("--status", action="append", choices=STATUSES, help="only jobs with this status (repeatable)")
    listing.add_argument("--json", action="store_true", help="one JSON array of the jobs")
    show = sub.add_parser("show", help="one job: its record and its final response")
    journal_arg(show)
    show.add_argument("response_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="one JSON object")
    resume = sub.add_parser("resume", help="wait for every pending job and record how each ended")
    journal_arg(resume)
    resume.add_argument("--timeout", type=float, metavar="S", help="give up on a job after S seconds (default: never)")
    resume.add_argument(
        "--poll-interval-ms", type=int, metavar="N", help="poll every N ms (default: the server's hint)"
    )
    resume.add_argument("--max-poll-failures", type=int, default=10, metavar="N", help="failed polls in a row allowed")
    resume.add_argument("--concurrency", type=int, default=64, metavar="N", help="polls in flight at once")
    resume.add_argument("--base-url", metavar="URL", help="the API base URL (default: $OPENAI_BASE_URL)")
    resume.add_argument("--json", action="store_true", help="one JSON object per job on stdout, as each ends")
    forget = sub.add_parser("forget", help="remove a job from the journal (it is not cancelled)")
    journal_arg(forget)
    forget.add_argument("response_id", metavar="ID")


def run_jobs(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    """Run a parsed ``jobs`` subcommand; returns the exit status."""
    from ._errors import JournalError
    from ._journal import Journal

    api_key = environ.get("OPENAI_API_KEY") or None
    report = Report(out, err, as_json=getattr(args, "json", False), secret=api_key)
    if args.jobs_command == "resume" and api_key is None:
        return report.ended(ExitStatus.USAGE, {"class": "UsageError", "message": "OPENAI_API_KEY is not set"})
    try:
        journal = Journal(args.journal)
    except (JournalError, ValueError) as error:
        return report.ended(ExitStatus.USAGE, {"class": type(error).__name__, "message": str(error)})
    with journal:
        try:
            if args.jobs_command == "list":
                return _list(journal, args, report)
            if args.jobs_command == "show":
                return _show(journal, args, report)
            if args.jobs_command == "forget":
                if journal.forget(args.response_id):
                    report._write(out, f"forgot {args.response_id}\n")
                    return ExitStatus.COMPLETED
                raise JournalError(f"the journal holds no job {args.response_id}", response_id=args.response_id)
            return _resume(journal, args, api_key, report)
        except JournalError as error:
            return report.ended(ExitStatus.USAGE, outcome_fields(error))


def _list(journal: Any, args: argparse.Namespace, report: Report) -> int:
    jobs = journal.jobs(status=args.status)
    if args.json:
        report._write(report.out, json.dumps([job.summary() for job in jobs], indent=2) + "\n")
        return ExitStatus.COMPLETED
    for job in jobs:
        ended = job.error_class or job.outcome or ""
        line = f"{job.id}  {job.status or '-':<11}  {'finished' if job.finished else 'pending':<8}  {ended}"
        report._write(report.out, line.rstrip() + "\n")
    return ExitStatus.COMPLETED


def _show(journal: Any, args: argparse.Namespace, report: Report) -> int:
    job = journal.job(args.response_id)
    fields = job.summary()
    final = json.loads(job.final_response) if job.final_response else None
    if args.json:
        report._write(report.out, json.dumps({**fields, "final_response": final}, indent=2) + "\n")
        return ExitStatus.COMPLETED
    width = max(len(name) for name in fields) + 1
    lines = [f"{name + ':':<{width}} {value}" for name, value in fields.items() if value is not None]
    if final is not None:
        lines.append("final_response: " + json.dumps(final))
    report._write(report.out, "\n".join(lines) + "\n")
    return ExitStatus.COMPLETED


def _resume(journal: Any, args: argparse.Namespace, api_key: str | None, report: Report) -> int:
    from .._client import OpenAI

    client_options: dict[str, Any] = {"api_key": api_key}
    if args.base_url is not None:
        client_options["base_url"] = args.base_url
    options: dict[str, Any] = {"concurrency": args.concurrency, "max_poll_failures": args.max_poll_failures}
    if args.timeout is not None:
        options["max_wait_seconds"] = args.timeout
    if args.poll_interval_ms is not None:
        options["poll_interval_ms"] = args.poll_interval_ms
    worst = ExitStatus.COMPLETED
    ended = 0
    try:
        with OpenAI(**client_options) as client:
            for outcome in client.responses.resume(journal, **options):
                ended += 1
                status = ExitStatus.COMPLETED
                fields: dict[str, object] = {"response_id": outcome.response_id, "status": "completed"}
                if outcome.error is not None:
                    status = exit_status_for(outcome.error) or ExitStatus.FAILED
                    fields = outcome_fields(outcome.error)
                worst = max(worst, status)
                if args.json:
                    report._write(report.out, json.dumps({**fields, "exit_status": int(status)}, default=str) + "\n")
                else:
                    said = fields.get("class", "completed")
                    report._write(report.err, f"{outcome.response_id}: {said} (exit status {int(status)})\n")
    except KeyboardInterrupt:
        report._write(report.err, f"interrupted after {ended} job(s); resume again with the same command\n")
        return ExitStatus.INTERRUPTED
    except ValueError as error:
        return report.ended(ExitStatus.USAGE, {"class": "UsageError", "message": str(error)})
    report._write(report.err, f"{ended} job(s) ended; {len(journal.pending())} still pending\n")
    return worst
