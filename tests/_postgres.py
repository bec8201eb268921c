"""A throwaway PostgreSQL cluster on loopback for the journal's heavy tests.

Started from Debian's binaries (``/usr/lib/postgresql/*/bin``, or ``initdb`` on PATH) in a fresh temporary
folder, as an unprivileged user: PostgreSQL refuses to run as root, and CI runs as root, so there it runs
as ``nobody`` through ``runuser``. ``start_cluster`` raises ``Unavailable`` with the reason when no server
can be started (no binaries, no psycopg), and the tests skip with that reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise Unavailable("no PostgreSQL binaries (initdb, pg_ctl): apt-get install postgresql")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A started cluster: its ``url``; ``stop()`` (immediate: as a crash) and ``start()`` for fault tests."""

    def __init__(self, url: str, pg_ctl: list[str], data: Path, options: str, log: Path) -> None:
        self.url = url
        self._pg_ctl, self._data, self._options, self._log = pg_ctl, data, options, log

    def _run(self, *args: str) -> None:
        command = [*self._pg_ctl, "-D", str(self._data), *args]
        subprocess.run(command, capture_output=True, timeout=120, check=True)

    def stop(self) -> None:
        self._run("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        self._run("-o", self._options, "-l", str(self._log), "-w", "-t", "60", "start")


@contextmanager
def start_cluster() -> Iterator[str]:
    """Start a cluster; yield its ``postgresql://`` URL (trust authentication, loopback only); stop it."""
    with start_cluster_handle() as cluster:
        yield cluster.url


@contextmanager
def start_cluster_handle() -> Iterator[Cluster]:
    """Start a cluster; yield it as a ``Cluster`` (trust authentication, loopback only); stop it."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed: pip install 'openai-background[postgres]'") from None
    bin_dir = _bin_dir()
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="openai-background-pg-"))
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise Unavailable("running as root without runuser: cannot start PostgreSQL as an unprivileged user")
        as_user = [runuser, "-u", "nobody", "--"]
        folder.chmod(0o755)
        shutil.chown(folder, "nobody")
    data, port = folder / "data", _free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise Unavailable(f"{Path(command[0]).name} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off"
        run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            yield Cluster(url, [*as_user, str(bin_dir / "pg_ctl")], data, options, folder / "log")
        finally:
            subprocess.run(
                [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def drop_journal(url: str) -> None:
    """Empty the database at ``url`` of every table a journal creates (the schema's own list), so the next
    ``Journal(url)`` starts from nothing."""
    import psycopg

    from openai_background.journal._schema import EVENTS, JOBS, SCHEMA

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP TABLE IF EXISTS {JOBS}, {SCHEMA}, {EVENTS}")
