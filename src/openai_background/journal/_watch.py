"""The journal's wake-ups (``.._wakeups.Wakeups``): one watcher per journal per process tells waits a job ended.

The watcher is one daemon thread per journal location, running only while some wait listens:

* SQLite: on its own connection it reads ``PRAGMA data_version`` every ``SQLITE_CHECK_SECONDS`` (a cheap
  local check that changes when another connection commits) and, when it changed, the event rows past the
  last ``rowid`` it saw;
* PostgreSQL: ``LISTEN`` on a dedicated connection; the receiver's ``NOTIFY`` carries the response id.

It dispatches each signal to the listeners of that response: a ``threading.Event`` for a sync wait, an
``anyio.Event`` set in the waiting task's own event loop (asyncio or trio) for an async one. Idle waits cost
nothing but their listener object. A lost connection is reopened and then every listener is woken (one GET
each), since a signal may have been missed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Final

import anyio

from ._events import CHANNEL, EVENTS

__all__ = ["Hub", "JournalWakeups", "hub_for"]

logger = logging.getLogger("openai_background")

SQLITE_CHECK_SECONDS: Final = 0.02
IDLE_EXIT_SECONDS: Final = 5.0
"""The watcher thread ends after this long with no listener (a later wait starts it again)."""
START_TIMEOUT: Final = 10.0
RECONNECT_FIRST: Final = 0.5
RECONNECT_MAX: Final = 30.0
"""A watcher that lost its connection retries after 0.5 s, doubling up to this; waits keep their fallback."""


class JournalListener:
    """One wait's listener (``.._wakeups.Listener``). A signal that arrives while nobody sleeps is kept.

    A signal is *certain* (the job's end event was recorded) or not (the watcher was down a while and may have
    missed one): either wakes the sleeper, but only a certain one makes ``wait`` answer True."""

    __slots__ = ("__weakref__", "_hub", "_on_signal", "_rid", "_signalled", "_thread_event", "_waker")

    def __init__(self, hub: Hub, rid: str, on_signal: Callable[[bool], None] | None = None) -> None:
        self._hub = hub
        self._rid = rid
        self._on_signal = on_signal
        self._signalled = 0  # 0: none; 1: maybe missed; 2: the end was recorded
        self._thread_event: threading.Event | None = None
        self._waker: Callable[[], None] | None = None

    def fire(self, certain: bool = True) -> None:
        """Called by the watcher (any thread): keep the signal and wake the sleeper, if any."""
        self._signalled = max(self._signalled, 2 if certain else 1)
        if self._on_signal is not None:
            self._on_signal(certain)
        if self._thread_event is not None:
            self._thread_event.set()
        waker = self._waker
        if waker is not None:
            waker()

    def heard_since(self, since: float) -> bool:
        """Whether the journal carried any job's end event since ``since`` (monotonic)."""
        return self._hub.heard_at >= since

    def _consume(self) -> bool:
        signalled, self._signalled = self._signalled, 0
        return signalled == 2

    def wait(self, seconds: float) -> bool:
        if self._thread_event is None:
            self._thread_event = threading.Event()
        if not self._signalled:
            self._thread_event.wait(max(0.0, seconds))
        self._thread_event.clear()
        return self._consume()

    async def wait_async(self, seconds: float) -> bool:
        event = anyio.Event()
        self._waker = _loop_waker(event)
        try:
            if not self._signalled:
                with anyio.move_on_after(max(0.0, seconds)):
                    await event.wait()
        finally:
            self._waker = None
        return self._consume()

    def close(self) -> None:
        self._hub.forget(self._rid, self)


def _loop_waker(event: anyio.Event) -> Callable[[], None]:
    """What sets ``event`` from any thread, in the event loop of the task calling this."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no asyncio loop in this thread: trio (anyio runs on nothing else)
        trio: Any = importlib.import_module("trio")
        token = trio.lowlevel.current_trio_token()

        def wake_trio() -> None:
            with contextlib.suppress(RuntimeError):  # the run has ended: nobody is waiting any more
                token.run_sync_soon(event.set)

        return wake_trio

    def wake_asyncio() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting any more
            loop.call_soon_threadsafe(event.set)

    return wake_asyncio


class Hub:
    """The listeners of one journal location in this process, and the watcher thread that signals them."""

    def __init__(self, target: str, *, postgres: bool) -> None:
        self.target = target
        self.postgres = postgres
        self._lock = threading.Lock()
        self._listeners: dict[str, list[JournalListener]] = {}
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._missed = False
        self.heard_at = float("-inf")
        """When the watcher last saw an end event of any job (monotonic): the channel is alive."""

    def listen(self, response_id: str, on_signal: Callable[[bool], None] | None = None) -> JournalListener:
        listener = JournalListener(self, response_id, on_signal)
        with self._lock:
            self._listeners.setdefault(response_id, []).append(listener)
            start = self._thread is None
            if start:
                self._ready.clear()
                self._thread = threading.Thread(target=self._watch, name="openai-background-wakeups", daemon=True)
                self._thread.start()
        # Wait for the watcher to be listening: an end recorded after this returns is never missed.
        self._ready.wait(START_TIMEOUT)
        return listener

    def forget(self, response_id: str, listener: JournalListener) -> None:
        with self._lock:
            listeners = self._listeners.get(response_id)
            if listeners is not None and listener in listeners:
                listeners.remove(listener)
                if not listeners:
                    del self._listeners[response_id]

    def signal(self, response_id: str) -> None:
        """Wake every listener of ``response_id`` in this process (and note that the channel is alive)."""
        self.heard_at = time.monotonic()
        with self._lock:
            listeners = list(self._listeners.get(response_id, ()))
        for listener in listeners:
            listener.fire()

    def signal_all(self) -> None:
        """Wake every listener, uncertainly: each wait GETs its job once and goes on listening."""
        with self._lock:
            listeners = [listener for group in self._listeners.values() for listener in group]
        for listener in listeners:
            listener.fire(certain=False)

    def listening(self) -> int:
        with self._lock:
            return sum(len(group) for group in self._listeners.values())

    def _idle_exit(self, idle_since: float) -> float | None:
        """The new idle start; None when the thread must end (it then unregisters itself under the lock)."""
        with self._lock:
            if self._listeners:
                return time.monotonic()
            if time.monotonic() - idle_since < IDLE_EXIT_SECONDS:
                return idle_since
            self._thread = None
            return None

    def _watch(self) -> None:
        pause = RECONNECT_FIRST
        idle_since = time.monotonic()
        while True:
            try:
                if self.postgres:
                    self._watch_postgres(idle_since)
                else:
                    self._watch_sqlite(idle_since)
                return
            except Exception as error:
                logger.debug("journal watcher: %s; reconnecting in %.1fs", type(error).__name__, pause)
                self._ready.set()  # never hold a listen() up past a failure
                self._missed = True  # a signal may be missed while down: every listener is woken once back
                if self._idle_exit(idle_since) is None:
                    return
                time.sleep(pause)
                pause = min(pause * 2, RECONNECT_MAX)

    def _connected(self) -> None:
        """The watcher listens again: let listen() return, and wake everyone if signals may have been missed."""
        self._ready.set()
        if self._missed:
            self._missed = False
            self.signal_all()

    def _watch_sqlite(self, idle_since: float) -> None:
        connection = sqlite3.connect(self.target, timeout=30.0, isolation_level=None, check_same_thread=False)
        try:
            version = connection.execute("PRAGMA data_version").fetchone()[0]
            last = connection.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {EVENTS}").fetchone()[0]
            self._connected()
            while True:
                time.sleep(SQLITE_CHECK_SECONDS)
                now_version = connection.execute("PRAGMA data_version").fetchone()[0]
                if now_version != version:
                    version = now_version
                    rows = connection.execute(
                        f"SELECT rowid, response_id FROM {EVENTS} WHERE rowid > ? ORDER BY rowid", (last,)
                    ).fetchall()
                    for rowid, response_id in rows:
                        last = max(last, rowid)
                        self.signal(response_id)
                since = self._idle_exit(idle_since)
                if since is None:
                    return
                idle_since = since
        finally:
            connection.close()

    def _watch_postgres(self, idle_since: float) -> None:
        psycopg: Any = importlib.import_module("psycopg")
        connection = psycopg.connect(self.target, autocommit=True)
        try:
            connection.execute(f"LISTEN {CHANNEL}")
            self._connected()
            while True:
                for notify in connection.notifies(timeout=0.5):
                    self.signal(notify.payload)
                since = self._idle_exit(idle_since)
                if since is None:
                    return
                idle_since = since
        finally:
            connection.close()


_hubs: dict[tuple[int, str], Hub] = {}
_hubs_lock = threading.Lock()


def hub_for(target: str, *, postgres: bool) -> Hub:
    """The one hub of this journal location in this process (a forked child gets its own)."""
    key = (os.getpid(), target)
    with _hubs_lock:
        hub = _hubs.get(key)
        if hub is None:
            hub = _hubs[key] = Hub(target, postgres=postgres)
        return hub


class JournalWakeups:
    """``Journal.wakeups()``: the hub of the journal's location, plus a look at the events already recorded,
    so an end recorded before the wait started listening (between a create and its first sleep) still counts."""

    def __init__(self, hub: Hub, ended: Callable[[str], bool]) -> None:
        self._hub = hub
        self._ended = ended

    def listen(self, response_id: str, on_signal: Callable[[bool], None] | None = None) -> JournalListener:
        listener = self._hub.listen(response_id, on_signal)
        try:
            ended = self._ended(response_id)
        except Exception as error:  # the journal unreadable now: the wait's polls find the end anyway
            logger.debug("journal watcher: cannot read the events of %s (%s)", response_id, type(error).__name__)
            ended = False
        if ended:
            listener.fire()
        return listener
