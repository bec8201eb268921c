"""Who holds a lease, whether that holder still lives, and the heartbeat that keeps a live holder's leases.

A lease names its holder three ways: ``lease_owner`` (host:pid:random, unique per process and journal),
``lease_host`` (the hostname, the boot id and the PID namespace, so two containers sharing a hostname or a
rebooted machine are never taken for one another) and ``lease_pid`` + ``lease_started`` (the process start
time, so a reused PID is not taken for the dead holder). A journal on the same host checks a holder's PID at
once (``holder_is_alive``): a dead holder's leases are taken over without waiting for them to expire.
Holders elsewhere are judged by expiry only, so leases are short (``DEFAULT_LEASE_SECONDS``) and the
``Heartbeat`` renews every lease of this process while it holds any, whatever its waits are doing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from functools import cache
from typing import Final

__all__ = ["DEFAULT_LEASE_SECONDS", "Heartbeat", "Holder", "holder_is_alive", "this_holder"]

DEFAULT_LEASE_SECONDS: Final = 15.0
"""How long a process may stay silent about a job before another host's process takes the job over."""
logger = logging.getLogger("openai_background.journal")


@cache
def host_id() -> str:
    """This machine and PID namespace: hostname/boot id/pid namespace (the parts Linux tells)."""
    parts = [socket.gethostname()]
    try:
        with open("/proc/sys/kernel/random/boot_id") as boot:
            parts.append(boot.read().strip()[:8])
        parts.append(os.readlink("/proc/self/ns/pid").strip("pid:[]"))
    except OSError:
        pass
    return "/".join(parts)


def process_start(pid: int) -> str:
    """The start time of process ``pid`` (clock ticks since boot, from /proc); '' where unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


Holder = tuple[str, int, str]
"""(host id, pid, process start) of a lease's holder."""


def this_holder() -> Holder:
    pid = os.getpid()
    return host_id(), pid, process_start(pid)


def holder_is_alive(pid: int, started: str) -> bool:
    """Whether process ``pid`` of this host is the live holder (same start time, when both are known)."""
    if pid == os.getpid():
        return True  # another journal of this very process
    if os.name == "nt":
        return True  # os.kill(pid, 0) would end the process there: judged by expiry only
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (another user's)
    now = process_start(pid)
    return not (started and now and now != started)  # the PID was reused by a later process


class Heartbeat:
    """A daemon thread that calls ``renew()`` every ``interval`` seconds while it returns a count > 0; it
    stops by itself when this process holds no lease, and ``beat()`` starts it again (after a fork too)."""

    def __init__(self, renew: Callable[[], int], interval: float) -> None:
        self.renew = renew
        self.interval = interval
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._poked = False
        self._stop = threading.Event()

    def beat(self) -> None:
        """This process just took a lease: make sure the thread runs."""
        with self._lock:
            self._poked = True
            alive = self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()
            if alive or self._stop.is_set():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="openai-background-journal-heartbeat", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                held = self.renew()
            except Exception as error:  # the database is away: try again at the next beat
                logger.warning("journal heartbeat: the leases could not be renewed (%s)", type(error).__name__)
                continue
            with self._lock:
                if held == 0 and not self._poked:
                    self._thread = None
                    return
                self._poked = False

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and self._pid == os.getpid():
            thread.join(timeout=5)
