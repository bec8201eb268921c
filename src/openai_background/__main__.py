"""The ``openai-background`` command (also ``python -m openai_background``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="openai-background", description="Typed errors and polling for OpenAI background responses."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run six background jobs on a loopback fake server (no API key needed)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo(sys.stdout)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse already refused it
    return 2  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
