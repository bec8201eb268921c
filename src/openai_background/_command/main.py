"""The ``openai-background`` command (also ``python -m openai_background``).

``wait RESPONSE_ID`` waits for a background response through ``client.responses.poll`` (the one poll
loop of the package), shows its progress on stderr, prints the outcome and exits with a status that
says how the response ended. ``demo`` runs six jobs on the loopback fake server. The API key is read
from ``OPENAI_API_KEY`` only (never from the command line, so it stays out of shell history and ``ps``)
and is never printed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from openai import APIStatusError

from .jobs import add_jobs_parser, run_jobs
from .outcome import EXIT_STATUS_TABLE, ExitStatus, Report, exit_status_for, outcome_fields
from .progress import LiveLine, PlainLines, PollEventReader, PollProgress
from .webhooks import add_webhooks_parser, run_webhooks

if TYPE_CHECKING:
    from openai.types.responses import Response

__all__ = ["build_parser", "main", "wait"]

ENVIRONMENT = """\
environment:
  OPENAI_API_KEY   the API key (required; never printed)
  OPENAI_BASE_URL  the API base URL, as the SDK reads it (--base-url wins)"""


def exit_status_epilog() -> str:
    rows = "\n".join(f"  {int(status):<4} {meaning}" for status, meaning in EXIT_STATUS_TABLE)
    return f"exit status:\n{rows}\n\n{ENVIRONMENT}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openai-background",
        description="Typed errors and polling for OpenAI background responses.",
        epilog=exit_status_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="run six background jobs on a loopback fake server (no API key needed)")
    wait_parser = commands.add_parser(
        "wait",
        help="wait for a background response and exit with a status that says how it ended",
        description="Poll a background response until it ends; print its output, or what went wrong.\n"
        "Progress goes to stderr: a live line on a terminal, one line per status change otherwise.\n"
        'With --json, stdout holds exactly one JSON document: the final Response or {"error": {...}}.',
        epilog=exit_status_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    wait_parser.add_argument("response_id", metavar="RESPONSE_ID", help="the id of the response, resp_...")
    wait_parser.add_argument("--timeout", type=_seconds, metavar="S", help="give up after S seconds (default: never)")
    wait_parser.add_argument(
        "--cancel-on-timeout", action="store_true", help="when --timeout passes, cancel the response server-side"
    )
    wait_parser.add_argument(
        "--cancel-on-interrupt", action="store_true", help="on Ctrl-C, cancel the response server-side"
    )
    wait_parser.add_argument(
        "--poll-interval-ms", type=_count(0), metavar="N", help="poll every N ms (default: the server's hint, else 1 s)"
    )
    wait_parser.add_argument(
        "--max-poll-failures",
        type=_count(1),
        metavar="N",
        help="give up after N failed polls in a row (default: 10); exit status 7",
    )
    wait_parser.add_argument(
        "--max-retries", type=_count(0), metavar="N", help="the SDK's own retries of one request (default: 2)"
    )
    wait_parser.add_argument(
        "--json", action="store_true", help="print the final Response as JSON, or a JSON error object"
    )
    wait_parser.add_argument("--base-url", metavar="URL", help="the API base URL (default: $OPENAI_BASE_URL)")
    add_jobs_parser(commands)  # the journal's commands (journal/_cli.py)
    add_webhooks_parser(commands)  # the webhook receiver (webhooks/_cli.py)
    return parser


def _version() -> str:
    from .. import _installed_version

    return _installed_version()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(sys.stdout)
    if args.command == "jobs":
        return run_jobs(args, sys.stdout, sys.stderr, os.environ)
    if args.command == "webhooks":
        return run_webhooks(args, sys.stderr, os.environ)
    return wait(args, sys.stdout, sys.stderr, os.environ)


def wait(args: argparse.Namespace, out: TextIO, err: TextIO, environ: Mapping[str, str]) -> int:
    """Run ``wait`` with parsed ``args``; returns the exit status."""
    api_key = environ.get("OPENAI_API_KEY") or None
    report = Report(out, err, as_json=args.json, secret=api_key)
    problem = _usage_problem(args, api_key)
    if problem is not None:
        return report.ended(ExitStatus.USAGE, {"class": "UsageError", "message": problem})
    rid: str = args.response_id
    resume = f"openai-background wait {rid}"
    try:
        response = _poll_showing_progress(args, api_key, err)
    except KeyboardInterrupt:
        fields: dict[str, object] = {"class": "KeyboardInterrupt", "message": "interrupted", "response_id": rid}
        fields["resume"] = None if args.cancel_on_interrupt else resume
        fields["cancel_requested"] = bool(args.cancel_on_interrupt)
        return report.ended(ExitStatus.INTERRUPTED, fields)
    except Exception as error:
        status = exit_status_for(error)
        if status is None:  # a bug of ours, not an outcome of the wait: never reported as "failed" (1)
            fields = {"class": type(error).__name__, "message": str(error), "response_id": rid, "resume": resume}
            return report.ended(ExitStatus.INTERNAL, fields, label="internal error (please report it)")
        cancelled = status is ExitStatus.TIMED_OUT and args.cancel_on_timeout
        fields = outcome_fields(error, resume=resume if status in _RESUMABLE and not cancelled else None)
        if status is ExitStatus.TIMED_OUT:
            fields["cancel_requested"] = cancelled
        label = "refused by the API" if status is ExitStatus.USAGE and isinstance(error, APIStatusError) else ""
        return report.ended(status, fields, getattr(error, "final_response", None), label=label)
    return report.completed(response)


def _poll_showing_progress(args: argparse.Namespace, api_key: str | None, err: TextIO) -> Response:
    """``client.responses.poll``, its ``on_poll`` events drawn as progress on ``err``."""
    client = _client(args, api_key)
    progress = PollProgress(args.response_id, started_at=time.monotonic())
    view = LiveLine(err, progress) if _is_terminal(err) else PlainLines(err)
    try:
        with client:
            observer = PollEventReader(progress, view)
            response: Response = client.responses.poll(args.response_id, on_poll=observer, **_poll_options(args))
            return response
    finally:
        view.close()


_RESUMABLE = (ExitStatus.TIMED_OUT, ExitStatus.UNREACHABLE)


def _usage_problem(args: argparse.Namespace, api_key: str | None) -> str | None:
    if api_key is None:
        return "OPENAI_API_KEY is not set; the wait command reads the API key from it"
    if args.cancel_on_timeout and args.timeout is None:
        return "--cancel-on-timeout needs --timeout"
    return None


def _client(args: argparse.Namespace, api_key: str | None) -> Any:
    from .._surface.clients import OpenAI  # imported here so `--help` and usage errors stay fast

    options: dict[str, Any] = {"api_key": api_key}
    if args.base_url is not None:
        options["base_url"] = args.base_url
    if args.max_retries is not None:
        options["max_retries"] = args.max_retries
    return OpenAI(**options)


def _poll_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {
        "cancel_on_timeout": args.cancel_on_timeout,
        "cancel_on_interrupt": args.cancel_on_interrupt,
    }
    if args.timeout is not None:
        options["max_wait_seconds"] = args.timeout
    if args.poll_interval_ms is not None:
        options["poll_interval_ms"] = args.poll_interval_ms
    if args.max_poll_failures is not None:
        options["max_poll_failures"] = args.max_poll_failures
    return options


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, not {text!r}")
    return value


def _count(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, not {value}")
        return value

    parse.__name__ = f"whole number >= {minimum}"
    return parse
