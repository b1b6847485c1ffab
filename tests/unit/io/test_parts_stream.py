"""Parts handed over as they are read: in order, a bounded number ahead, errors at their turn,
and a transform that takes them one by one gives what it gives on a list of them."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
import weakref
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.pipelines import PipelineContext
from work_data_hub.domain.readers import SourceFileError, SourcePart
from work_data_hub.io.runs.parts_stream import PartsHandedOver, PartsStream
from work_data_hub.io.runs.parts_transform import transform_parts
from work_data_hub.io.runs.source_parts import PARTS_READ_AT_ONCE

pytestmark = pytest.mark.unit

SOURCE = SourceSpec(patterns=("*.xlsx",), sheets=("*",))


class RecordingReader:
    """Reads a part as rows naming its sheet and noting each read's start; ``refused`` sheets
    raise ``SourceFileError``; with ``hold`` every read waits until ``release`` is set."""

    def __init__(self, refused: tuple[str, ...] = (), *, hold: bool = False) -> None:
        self.events: list[str] = []
        self.refused = refused
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self._lock = threading.Lock()

    def note(self, event: str) -> None:
        with self._lock:
            self.events.append(event)

    def read(self, path: Path, source: SourceSpec) -> pd.DataFrame:
        sheet = source.sheet or ""
        self.note(f"read {sheet}")
        self.release.wait(timeout=10)
        if sheet in self.refused:
            raise SourceFileError(path, "refused", sheet=sheet)
        frame = pd.DataFrame({"code": [sheet, sheet], "wdh_source_row": [2, 3]})
        frame.attrs["sheet"] = sheet
        return frame


def _parts(count: int) -> list[SourcePart]:
    return [SourcePart(Path("book.xlsx"), f"s{n}") for n in range(count)]


def test_parts_come_in_order_and_a_read_starts_only_when_an_earlier_part_is_handed_over() -> None:
    reader = RecordingReader()

    def handed_over(_position: int, part: SourcePart) -> None:
        reader.note(f"take {part.sheet}")

    with PartsStream(reader, _parts(5), SOURCE, on_yield=handed_over) as stream:
        sheets = [frame["code"].iloc[0] for _, frame in stream]

    assert sheets == ["s0", "s1", "s2", "s3", "s4"]
    for later in range(PARTS_READ_AT_ONCE, 5):
        earlier = later - PARTS_READ_AT_ONCE
        assert reader.events.index(f"take s{earlier}") < reader.events.index(f"read s{later}")


def test_reading_starts_before_the_first_part_is_asked_for() -> None:
    reader = RecordingReader()
    with PartsStream(reader, _parts(3), SOURCE):
        deadline = time.monotonic() + 10
        while len(reader.events) < PARTS_READ_AT_ONCE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sorted(reader.events) == ["read s0", "read s1"]


def test_a_part_that_cannot_be_read_fails_at_its_turn_after_the_parts_before_it() -> None:
    with PartsStream(RecordingReader(refused=("s2",)), _parts(4), SOURCE) as stream:
        handed = iter(stream)
        taken = [next(handed)[0].sheet, next(handed)[0].sheet]
        with pytest.raises(SourceFileError, match="refused"):
            next(handed)
    assert taken == ["s0", "s1"]


def test_closing_starts_no_further_read_and_does_not_wait_for_the_running_ones() -> None:
    reader = RecordingReader(hold=True)
    stream = PartsStream(reader, _parts(6), SOURCE)

    started = time.perf_counter()
    stream.close()
    closing = time.perf_counter() - started
    reader.release.set()
    time.sleep(0.2)

    assert closing < 5.0  # the held reads wait 10 s unless released
    assert sorted(reader.events) == ["read s0", "read s1"]


def test_the_stream_keeps_no_reference_to_a_frame_it_handed_over() -> None:
    with PartsStream(RecordingReader(), _parts(3), SOURCE) as stream:
        _, frame = next(iter(stream))
        handed = weakref.ref(frame)
        del frame
        gc.collect()
        assert handed() is None


def test_the_read_ends_at_the_last_part_and_the_transform_starts_at_the_first() -> None:
    stages: list[tuple[str, int | None]] = []
    started = time.perf_counter() - 2.0
    handed = PartsHandedOver(3, started, lambda stage, rows: stages.append((stage, rows)))
    parts = _parts(3)

    for position, part in enumerate(parts):
        handed(position, part)
    timings = handed.timings(time.perf_counter() + 5.0)

    assert handed.parts == parts
    assert stages == [("transform", None)]
    assert 2.0 <= timings["read"] < 3.0
    assert 5.0 <= timings["transform"] < 6.0


def test_a_run_failing_before_its_first_part_has_only_a_read_time() -> None:
    started = time.perf_counter() - 1.0
    timings = PartsHandedOver(3, started).timings(time.perf_counter())
    assert list(timings) == ["read"]
    assert 1.0 <= timings["read"] < 2.0


def _context() -> PipelineContext:
    return PipelineContext(
        pipeline_name="parts",
        execution_id="e",
        timestamp=dt.datetime.now(dt.UTC),
        config={},
        run_month=None,
    )


def test_parts_taken_one_by_one_transform_as_a_list_of_them_does() -> None:
    reader = RecordingReader()
    with PartsStream(reader, _parts(3), SOURCE) as stream:
        one_by_one = transform_parts("parts", stream, [], [], _context(), tag=True, several=True)
    with PartsStream(reader, _parts(3), SOURCE) as stream:
        as_list = transform_parts("parts", list(stream), [], [], _context(), tag=True)

    pd.testing.assert_frame_equal(one_by_one.valid, as_list.valid)
    assert one_by_one.rows_read == as_list.rows_read == 6
    assert one_by_one.valid["code"].tolist() == ["s0", "s0", "s1", "s1", "s2", "s2"]


def test_parts_taken_one_by_one_must_say_whether_there_are_several() -> None:
    with (
        PartsStream(RecordingReader(), _parts(2), SOURCE) as stream,
        pytest.raises(TypeError, match="several"),
    ):
        transform_parts("parts", iter(stream), [], [], _context(), tag=False)
