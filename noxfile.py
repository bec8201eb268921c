"""Sessions: ``tests`` (the README's command), ``lint``, ``types``, ``demo``.

``nox -s tests`` runs the suite on the interpreter nox runs with, against the newest ``openai`` the
project allows.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "types", "demo"]
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = False

SRC = "src/openai_background"


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite: sync, asyncio and trio; respx, httpx2 and the loopback server."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "noxfile.py", "scripts")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py", "scripts")


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[test]", "mypy")
    session.run("mypy", "--strict", SRC)


@nox.session
def demo(session: nox.Session) -> None:
    """The demo: six background jobs on the loopback fake server, no API key."""
    session.install(".")
    session.run("python", "-m", "openai_background", "demo")
