"""``openai-background jobs list|show|resume|forget --journal PATH_OR_URL``: the journal from a shell.

``resume`` waits for every pending job through ``client.responses.resume`` (the one poll program), prints
one line per job as it ends on stderr (``--json``: one JSON object per job on stdout) and exits with the
``wait`` command's statuses: 0 when every job completed, else the highest status among the jobs' ends
(130 on Ctrl-C, 143 on SIGTERM: both release this process's leases first). Each job is polled at the base
URL it was created with (as stored: without credentials) unless ``--base-url`` is given. The API key is read
from ``OPENAI_API_KEY`` only and never printed. Every command opens an existing journal only: a path or
database without one is an error (exit 2), and nothing is created.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

from .outcome import ExitStatus, Report, exit_status_for, outcome_fields

__all__ = ["add_jobs_parser", "run_jobs"]

TERMINATED = 143
"""The exit status after SIGTERM (128 + 15), once the leases are released."""
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
    resume.add_argument(
        "--base-url",
        metavar="URL",
        help="poll every job at this API base URL (default: the one each job was created with, else $OPENAI_BASE_URL)",
    )
    resume.add_argument("--json", action="store_true", help="one JSON object per job on stdout, as each ends")
    forget = sub.add_parser("forget", help="remove a job from the journal (it is not cancelled)")
    journal_arg(forget)
    forget.add_argument("response_id", metavar="ID")


def run_jobs(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    """Run a parsed ``jobs`` subcommand; returns the exit status."""
    from ..journal._errors import JournalError
    from ..journal._journal import Journal

    api_key = environ.get("OPENAI_API_KEY") or None
    report = Report(out, err, as_json=getattr(args, "json", False), secret=api_key)
    if args.jobs_command == "resume" and api_key is None:
        return report.ended(ExitStatus.USAGE, {"class": "UsageError", "message": "OPENAI_API_KEY is not set"})
    try:
        journal = Journal(args.journal, create=False)
    except (JournalError, ValueError, TypeError) as error:
        return report.ended(ExitStatus.USAGE, {"class": type(error).__name__, "message": str(error)})
    with journal, _sigterm_interrupts() as terminated:
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
            return _resume(journal, args, api_key, report, terminated)
        except JournalError as error:
            return report.ended(ExitStatus.USAGE, outcome_fields(error))


class _Terminated:
    def __init__(self) -> None:
        self.by_sigterm = False


@contextmanager
def _sigterm_interrupts() -> Generator[_Terminated, None, None]:
    """SIGTERM ends a command as Ctrl-C does (``KeyboardInterrupt``: resume releases its leases on the way
    out), marked so the exit status says which it was. Only from the main thread; restored afterwards."""
    seen = _Terminated()
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def terminate(signum: int, frame: object) -> None:
        seen.by_sigterm = True
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def _resume(
    journal: Any, args: argparse.Namespace, api_key: str | None, report: Report, terminated: _Terminated
) -> int:
    from .._surface.clients import OpenAI
    from ..journal._journal import ANY

    options: dict[str, Any] = {"concurrency": args.concurrency, "max_poll_failures": args.max_poll_failures}
    if args.timeout is not None:
        options["max_wait_seconds"] = args.timeout
    if args.poll_interval_ms is not None:
        options["poll_interval_ms"] = args.poll_interval_ms

    def on_wait(message: str) -> None:
        report._write(report.err, message + "\n")

    options["on_wait"] = on_wait
    # Each job at the base URL it was created with (None: the SDK's default, $OPENAI_BASE_URL), one group
    # after another; --base-url polls all of them there.
    groups: list[tuple[Any, str | None]] = [(ANY, args.base_url)]
    if args.base_url is None:
        groups = [(url, url) for url in journal.pending_base_urls()]
    worst = ExitStatus.COMPLETED
    ended = 0
    try:
        for only, base_url in groups:
            client_options: dict[str, Any] = {"api_key": api_key}
            if base_url is not None:
                client_options["base_url"] = base_url
            with OpenAI(**client_options) as client:
                for outcome in client.responses.resume(journal, only_base_url=only, **options):
                    ended += 1
                    worst = max(worst, _said(outcome, args, report))
    except KeyboardInterrupt:
        how = "terminated (SIGTERM)" if terminated.by_sigterm else "interrupted"
        report._write(report.err, f"{how} after {ended} job(s); resume again with the same command\n")
        return TERMINATED if terminated.by_sigterm else ExitStatus.INTERRUPTED
    except ValueError as error:
        return report.ended(ExitStatus.USAGE, {"class": "UsageError", "message": str(error)})
    report._write(report.err, f"{ended} job(s) ended; {len(journal.pending())} still pending\n")
    return worst


def _said(outcome: Any, args: argparse.Namespace, report: Report) -> ExitStatus:
    """Print one ended job; its exit status."""
    status = ExitStatus.COMPLETED
    fields: dict[str, object] = {"response_id": outcome.response_id, "status": "completed"}
    if outcome.error is not None:
        status = exit_status_for(outcome.error) or ExitStatus.FAILED
        fields = outcome_fields(outcome.error)
    if args.json:
        report._write(report.out, json.dumps({**fields, "exit_status": int(status)}, default=str) + "\n")
    else:
        said = fields.get("class", "completed")
        report._write(report.err, f"{outcome.response_id}: {said} (exit status {int(status)})\n")
    return status
