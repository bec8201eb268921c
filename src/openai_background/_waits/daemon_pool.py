"""A fixed pool of daemon worker threads for the sync ``poll_many``'s requests.

``concurrent.futures.ThreadPoolExecutor`` joins its workers when the interpreter exits, so a ``poll_many``
left (``break``, an exception, Ctrl-C) while its workers sit in stalled requests kept the process alive
until those requests timed out (25 s measured). These workers are daemon threads: leaving the pool
(``shutdown``) drops the queued work at once and abandons the requests in flight, which end on their own
timeouts without holding up the exit.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

__all__ = ["DaemonPool"]

_STOP: Any = object()


class DaemonPool:
    """``submit(fn) -> Future`` run on at most ``workers`` daemon threads, one started per submit until
    there are ``workers``."""

    def __init__(self, workers: int, name: str) -> None:
        self._workers = workers
        self._name = name
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[[], object]) -> Future[object]:
        future: Future[object] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            self._queue.put((future, fn))
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn()
                except BaseException as error:
                    future.set_exception(error)
                else:
                    future.set_result(result)
            del item, future, fn
            if self._closed:
                return

    def shutdown(self) -> None:
        """Cancel the queued work and let the workers go; never waits for a request in flight."""
        with self._lock:
            self._closed = True
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                item[0].cancel()
        for _ in self._threads:
            self._queue.put(_STOP)
