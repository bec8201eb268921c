"""``openai-background webhooks serve --journal PATH_OR_URL [--host H] [--port P]``: a standalone receiver.

Runs ``WebhookReceiver`` under uvicorn (``pip install 'openai-background[webhooks]'``). The secret is read
from ``OPENAI_WEBHOOK_SECRET`` only (never the command line, so it stays out of shell history and ``ps``)
and is never printed; progress and errors go to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import logging
from collections.abc import Mapping
from typing import Any, TextIO

__all__ = ["add_webhooks_parser", "run_webhooks"]


def add_webhooks_parser(commands: Any) -> None:
    """Add ``webhooks serve`` to the ``openai-background`` parser's subcommands."""
    webhooks = commands.add_parser("webhooks", help="receive OpenAI webhooks into a journal (waits wake on them)")
    sub = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="WEBHOOKS_COMMAND")
    serve = sub.add_parser(
        "serve",
        help="run a webhook receiver (uvicorn); the secret is read from $OPENAI_WEBHOOK_SECRET",
        description="Receive OpenAI webhooks on every POST path, verify them with $OPENAI_WEBHOOK_SECRET and "
        'record each response\'s end in the journal, where waits with wait="webhook" wake on it.',
    )
    serve.add_argument(
        "--journal", required=True, metavar="PATH_OR_URL", help="a SQLite file path or a postgresql:// URL"
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")


def run_webhooks(args: argparse.Namespace, err: TextIO, environ: Mapping[str, str]) -> int:
    from ..journal._errors import JournalError
    from ..webhooks._receiver import WebhookReceiver

    secret = environ.get("OPENAI_WEBHOOK_SECRET") or None
    if secret is None:
        print("openai-background webhooks serve: set OPENAI_WEBHOOK_SECRET to the endpoint's signing secret", file=err)
        return 2
    try:
        uvicorn: Any = importlib.import_module("uvicorn")
    except ImportError:
        print("openai-background webhooks serve needs uvicorn: pip install 'openai-background[webhooks]'", file=err)
        return 2
    try:
        receiver = WebhookReceiver(args.journal, secret=secret)
    except (JournalError, ValueError) as error:
        print(f"openai-background webhooks serve: {error}", file=err)
        return 2
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("openai_background.webhooks")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    print(
        f"openai-background: receiving webhooks into {receiver.journal!r} on http://{args.host}:{args.port}/", file=err
    )
    uvicorn.run(receiver, host=args.host, port=args.port, log_level="warning", lifespan="off")
    return 0
