"""A file-like reader for ``COPY … FROM STDIN`` whose chunks are produced on a second thread.

Serialising (Arrow, mostly outside the GIL) then overlaps with sending and with the server
parsing, and only a few chunks are held in memory at a time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType

__all__ = ["ChunkStream"]

_PUT_TIMEOUT_S = 0.1


@dataclass(frozen=True)
class _Failed:
    error: BaseException


class _End:
    pass


_END = _End()


class ChunkStream:
    """Reads the byte chunks of ``chunks`` in order, produced ahead by a background thread.

    Use it as a context manager around the ``copy_expert`` call. An exception raised while
    producing is raised again from ``read`` (psycopg2 then aborts the COPY) and kept in
    ``error``, so the caller can re-raise the original instead of the driver's wrapper.
    """

    def __init__(self, chunks: Iterable[bytes], *, ahead: int = 2) -> None:
        self.error: BaseException | None = None
        self._chunks = chunks
        self._queue: queue.Queue[bytes | _Failed | _End] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._produce, name="wdh-copy-chunks", daemon=True)

    def __enter__(self) -> ChunkStream:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def read(self, size: int = -1) -> bytes:
        """Return the next chunk whole (``size`` is ignored), or ``b""`` at the end."""
        if self._finished:
            return b""
        item = self._queue.get()
        if isinstance(item, bytes):
            return item
        self._finished = True
        if isinstance(item, _Failed):
            self.error = item.error
            raise item.error
        return b""

    def _produce(self) -> None:
        try:
            for chunk in _non_empty(self._chunks):
                if not self._put(chunk):
                    return
        except BaseException as error:  # handed over to the reading thread, which raises it
            self._put(_Failed(error))
            return
        self._put(_END)

    def _put(self, item: bytes | _Failed | _End) -> bool:
        """Queue ``item``; give up (False) once the reader has gone away."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_TIMEOUT_S)
            except queue.Full:
                continue
            return True
        return False


def _non_empty(chunks: Iterable[bytes]) -> Iterator[bytes]:
    # An empty chunk would read as end-of-data to the driver.
    return (chunk for chunk in chunks if chunk)
