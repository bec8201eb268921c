"""The fake server's HTTP plumbing, on its loop thread: the asyncio server, one task per connection
(HTTP/1.1 keep-alive), each request recorded, dispatched and answered (plain or server-sent events).
:class:`~._server.FakeResponsesServer` holds the state and the routes; this is how they reach the wire."""

from __future__ import annotations

import asyncio
import socket
import threading

from ._endings import JobEndings
from ._http import BadRequest, RecordedRequest, Reply, read_request, write_reply
from ._jobs import error_reply
from ._sse import StreamReply, write_events

__all__ = ["Plumbing"]


class Plumbing:
    """The loop-thread half of the fake server (a base class: the attributes are set by its ``__init__``)."""

    _lock: threading.Lock
    _endings: JobEndings
    _requests: list[RecordedRequest]
    _tasks: set[asyncio.Task[None]]
    _connections: int
    _answers: int
    _loop: asyncio.AbstractEventLoop | None
    _server: asyncio.Server | None
    _port: int | None
    _startup_error: BaseException | None

    def _dispatch(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=2048))
                self._port = int(self._server.sockets[0].getsockname()[1])
                with self._lock:
                    self._endings.attach(loop)
            except BaseException as exc:
                self._startup_error = exc
                return
            finally:
                ready.set()
            loop.run_forever()
        finally:
            leftovers = asyncio.all_tasks(loop)
            for task in leftovers:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._endings.sender is not None:
            await self._endings.sender.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let the closed transports release their sockets
        asyncio.get_running_loop().stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._connections += 1
        connection_id = self._connections
        try:
            while True:
                try:
                    parsed = await read_request(reader, connection_id)
                except (BadRequest, ValueError, asyncio.LimitOverrunError):
                    await self._send(writer, error_reply(400, "fake server: malformed request"), False)
                    return
                if parsed is None:
                    return
                request, keep_alive = parsed
                with self._lock:
                    self._requests.append(request)
                if not await self._send(writer, self._dispatch(request), keep_alive):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels these tasks.  End normally: Python 3.11's
            # start_server callback logs an error for a cancelled handler task.
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _send(self, writer: asyncio.StreamWriter, reply: Reply, keep_alive: bool) -> bool:
        """Wait out ``reply.delay``, write it; returns whether the connection stays open."""
        if reply.delay > 0:
            await asyncio.sleep(reply.delay)
        self._answers += 1
        if isinstance(reply, StreamReply):
            return await write_events(writer, reply, f"req_fake_{self._answers}", keep_alive)
        return await write_reply(writer, reply, f"req_fake_{self._answers}", keep_alive)
