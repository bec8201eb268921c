"""The fake Responses server in its own process, scripted over a pipe.

The parent sends one JSON command per line on the child's stdin and reads one JSON answer per line from
its stdout. In the child, ``FakeResponsesServer`` serves from its daemon thread while the main thread
only waits on the pipe, so the client's CPU time and wall clock never include the server's work.
``time.monotonic`` is one system-wide clock on Linux and macOS, so the server's ``received_at`` can be
compared with the client's own readings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class FakeServerProcess:
    """A ``FakeResponsesServer`` in a child process. Use as a context manager. ``options``: keyword arguments
    of ``FakeResponsesServer`` (JSON values: ``max_polls_per_second=200``)."""

    def __init__(self, **options: Any) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._fake", json.dumps(options)],
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.port: int = self._read()["port"]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._child.poll() is None:
            self._call(op="stop")
            self._child.wait(10)

    def add_jobs(
        self,
        count: int,
        *,
        polls: int,
        poll_after_ms: int | None,
        failed_every: int = 0,
        stream: dict[str, Any] | None = None,
    ) -> list[str]:
        """``count`` jobs answering ``polls`` in-progress polls, then completed (or, for every
        ``failed_every``-th job, failed with ``server_error``); ``stream``: ``StreamScript`` arguments."""
        ids: list[str] = self._call(
            op="add", count=count, polls=polls, poll_after_ms=poll_after_ms, failed_every=failed_every, stream=stream
        )
        return ids

    def streams(self, ids: list[str]) -> list[tuple[int, int]]:
        """For each job: how many stream requests and how many plain GETs it was served."""
        counts: list[tuple[int, int]] = [tuple(pair) for pair in self._call(op="streams", ids=ids)]
        return counts

    def stream_length(self, rid: str) -> int:
        """How many events a full stream of ``rid`` has."""
        length: int = self._call(op="stream_length", id=rid)
        return length

    def polls(self, ids: list[str]) -> list[int]:
        """How many GETs each job was served."""
        counts: list[int] = self._call(op="polls", ids=ids)
        return counts

    def terminal_sent(self, rid: str) -> float | None:
        """``time.monotonic()`` when the server wrote ``rid``'s terminal stream event (None: not seen)."""
        sent: float | None = self._call(op="terminal_sent", id=rid)
        return sent

    def get_times(self, rid: str) -> list[float]:
        """``time.monotonic()`` of each GET of ``rid`` as it arrived, in order."""
        times: list[float] = self._call(op="get_times", id=rid)
        return times

    def rate_limited(self) -> list[float]:
        """``time.monotonic()`` of every poll the server answered 429 (``max_polls_per_second``)."""
        times: list[float] = self._call(op="rate_limited")
        return times

    def first_get(self) -> float | None:
        """``time.monotonic()`` when the first GET (a poll) arrived, since the last ``clear``."""
        first: float | None = self._call(op="first_get")
        return first

    def clear(self) -> None:
        """Forget recorded requests (1,000-job rounds would otherwise pile them up)."""
        self._call(op="clear")

    def _call(self, **command: Any) -> Any:
        assert self._child.stdin is not None
        self._child.stdin.write(json.dumps(command) + "\n")
        self._child.stdin.flush()
        return self._read()["result"]

    def _read(self) -> Any:
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake server process ended (exit code {self._child.wait()})")
        return json.loads(line)


def child_env() -> dict[str, str]:
    """The environment for child interpreters: the package importable from ``src`` when not installed."""
    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def _serve() -> None:
    from openai_background.testing import FakeResponsesServer, JobScript

    def script(number: int, command: dict[str, Any]) -> JobScript:
        every, polls, hint = command["failed_every"], command["polls"], command["poll_after_ms"]
        if every and number % every == every - 1:
            made = JobScript.failed("server_error", polls=polls, poll_after_ms=hint)
        else:
            made = JobScript.completed(polls=polls, poll_after_ms=hint)
        if command.get("stream") is not None:
            from openai_background.testing import StreamScript

            stream = dict(command["stream"])
            stream["drops"] = tuple(stream.get("drops", ()))
            made = made.with_stream(StreamScript(**stream))
        return made

    terminal_sent = _stamp_terminal_events()
    server = FakeResponsesServer(**(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {})).start()
    print(json.dumps({"port": server.port}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        result: Any = None
        if op == "add":
            result = [server.add_job(script(n, command)) for n in range(command["count"])]
        elif op == "polls":
            result = [server.job(rid).polls for rid in command["ids"]]
        elif op == "streams":
            result = [(server.job(rid).streams, server.job(rid).polls) for rid in command["ids"]]
        elif op == "stream_length":
            from openai_background.testing._sse import stream_events

            result = len(stream_events(server.job(command["id"]))[0])
        elif op == "terminal_sent":
            result = terminal_sent.get(command["id"])
        elif op == "get_times":
            path = f"/v1/responses/{command['id']}"
            result = [r.received_at for r in server.requests if r.method == "GET" and r.path == path]
        elif op == "first_get":
            result = min((r.received_at for r in server.requests if r.method == "GET"), default=None)
        elif op == "rate_limited":
            result = server.rate_limited
        elif op == "clear":
            server.clear_requests()
        print(json.dumps({"result": result}), flush=True)
        if op == "stop":
            break
    server.stop()


_TERMINAL = re.compile(rb'"type": "response\.(?:completed|failed|incomplete)", "response": \{"id": "([^"]+)"')


def _stamp_terminal_events() -> dict[str, float]:
    """Note when each job's terminal stream event is handed to the socket, by wrapping the writer the
    fake server streams events with (benchmark-only instrumentation of the test kit's internals)."""
    from openai_background.testing import _plumbing as _server  # where the fake server writes its events

    sent: dict[str, float] = {}
    write_events: Any = getattr(_server, "write_events")  # noqa: B009 - a name the module does not export

    class Stamping:
        def __init__(self, writer: Any) -> None:
            self._writer = writer

        def write(self, data: bytes) -> None:
            self._writer.write(data)
            found = _TERMINAL.search(data)
            if found is not None:
                sent[found[1].decode()] = time.monotonic()

        def __getattr__(self, name: str) -> Any:
            return getattr(self._writer, name)

    async def stamped(writer: Any, *args: Any) -> bool:
        written: bool = await write_events(Stamping(writer), *args)
        return written

    setattr(_server, "write_events", stamped)  # noqa: B010
    return sent


if __name__ == "__main__":
    _serve()
