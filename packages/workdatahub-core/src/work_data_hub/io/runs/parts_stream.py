"""A run's parts handed over one by one as they are read, so that reading overlaps transforming.

While the run transforms one part, the parts after it are read on the other core
(python-calamine parses without holding the GIL), and only a few frames wait at a time however
many parts the source has.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd

from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import Reader, SourcePart
from work_data_hub.io.runs.request import StageProgress
from work_data_hub.io.runs.source_parts import PARTS_READ_AT_ONCE, read_part, resolved_part

__all__ = ["PartsHandedOver", "PartsStream"]


class PartsStream:
    """The parts of a source as ``source_parts.read_parts`` returns them, in order, each
    handed over as soon as it is read.

    Reading starts at once: ``PARTS_READ_AT_ONCE`` parts at a time, the next one as soon as
    the caller takes one, so no more than that many frames wait. ``on_yield(position, part)``
    is called as each part is handed over. A part's error is raised when its turn comes.
    ``close`` (or leaving the ``with`` block) cancels the reads not started and lets the ones
    running finish in the background: a failing or interrupted run does not wait for them.
    """

    def __init__(
        self,
        reader: Reader,
        parts: Sequence[SourcePart],
        source: SourceSpec,
        *,
        on_yield: Callable[[int, SourcePart], None] | None = None,
    ) -> None:
        self._reader, self._source, self._on_yield = reader, source, on_yield
        self._upcoming = iter(parts)
        self._pool = ThreadPoolExecutor(max_workers=PARTS_READ_AT_ONCE)
        self._reading: deque[tuple[SourcePart, Future[pd.DataFrame]]] = deque()
        for _ in range(PARTS_READ_AT_ONCE):
            self._start_next()

    def __enter__(self) -> PartsStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[tuple[SourcePart, pd.DataFrame]]:
        position = 0
        while self._reading:
            part, future = self._reading.popleft()
            ready = [(resolved_part(part, future.result()), future.result())]
            del future
            if self._on_yield is not None:
                self._on_yield(position, ready[0][0])
            position += 1
            self._start_next()
            # Popped as it is yielded: the caller holds the only reference to the frame and
            # frees it as its steps replace it.
            yield ready.pop()
        self.close()

    def close(self) -> None:
        """Cancel the reads not started; the ones running finish without being waited for."""
        self._reading.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _start_next(self) -> None:
        part = next(self._upcoming, None)
        if part is not None:
            future = self._pool.submit(read_part, self._reader, part, self._source)
            self._reading.append((part, future))


class PartsHandedOver:
    """Follows a run's ``count`` parts as a ``PartsStream`` hands them over (its
    ``on_yield``): the parts as read, and the times of the two stages they overlap, the read
    (from ``started``, a ``time.perf_counter`` value, until the last part is handed over) and
    the transform (from the first part on). ``progress`` is told when the transform starts."""

    def __init__(self, count: int, started: float, progress: StageProgress | None = None) -> None:
        self.parts: list[SourcePart] = []
        self._count = count
        self._progress = progress
        self._started = started
        self._first: float | None = None
        self._last: float | None = None

    def __call__(self, position: int, part: SourcePart) -> None:
        """Note that the part at ``position`` was handed over."""
        self.parts.append(part)
        now = time.perf_counter()
        if position == 0:
            self._first = now
            if self._progress is not None:
                self._progress("transform", None)
        if position == self._count - 1:
            self._last = now

    def timings(self, finished: float) -> dict[str, float]:
        """Seconds of the read and, once a part was handed over, of the transform, which
        finished (or failed) at ``finished`` (a ``time.perf_counter`` value). Before the last
        part is handed over the read counts until ``finished``."""
        last = self._last if self._last is not None else finished
        found = {"read": round(last - self._started, 4)}
        if self._first is not None:
            found["transform"] = round(finished - self._first, 4)
        return found
