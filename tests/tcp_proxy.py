"""A TCP proxy on 127.0.0.1 that a test can cut, stall and restore: a database that goes
away and comes back, as the service sees it over the network.

It runs its own event loop on a thread, so it keeps forwarding while the test blocks
on a subprocess or a synchronous HTTP call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from enum import Enum
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")
CONTROL_TIMEOUT = 10.0
CHUNK = 65536


class Mode(Enum):
    FORWARD = "forward"  # pass bytes both ways
    STALL = "stall"  # accept connections, never answer (a host that drops packets)
    CUT = "cut"  # refuse connections (nothing listens)


class TcpProxy:
    """Forward 127.0.0.1:`port` to `target_host`:`target_port`; use as a context manager."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._mode = Mode.CUT
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        self.forward()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.cut()
        self._run(self._finish_tasks())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CONTROL_TIMEOUT)
        self._loop.close()

    def forward(self) -> None:
        """Listen (again, on the same port) and pass bytes through."""
        self._run(self._set_mode(Mode.FORWARD))

    def stall(self) -> None:
        """Drop every open connection; accept new ones but never forward a byte."""
        self._run(self._set_mode(Mode.STALL))

    def cut(self) -> None:
        """Drop every open connection and stop listening: connections are refused."""
        self._run(self._set_mode(Mode.CUT))

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(CONTROL_TIMEOUT)

    async def _set_mode(self, mode: Mode) -> None:
        self._mode = mode
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        if mode is Mode.CUT and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if mode is not Mode.CUT and self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _finish_tasks(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        if self._mode is not Mode.FORWARD:
            return  # held open, silent, until the next mode change aborts it
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open.add(upstream_writer)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.get_running_loop().create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(CHUNK):
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.transport.abort()
