"""``ChunkStream`` hands chunks over in order, and a producer's error to the reader."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from work_data_hub.io.loader.chunk_stream import ChunkStream

pytestmark = pytest.mark.unit


def read_all(stream: ChunkStream) -> list[bytes]:
    chunks = []
    while chunk := stream.read(8192):
        chunks.append(chunk)
    return chunks


def test_chunks_arrive_in_order_and_empty_ones_are_skipped() -> None:
    with ChunkStream([b"a", b"", b"bc", b"d"]) as stream:
        assert read_all(stream) == [b"a", b"bc", b"d"]
        assert stream.read() == b""
        assert stream.error is None


def test_an_error_while_producing_is_raised_by_read_and_kept() -> None:
    def failing() -> Iterator[bytes]:
        yield b"first"
        raise ValueError("row 5000 cannot be serialised")

    with ChunkStream(failing()) as stream:
        assert stream.read() == b"first"
        with pytest.raises(ValueError, match="row 5000"):
            stream.read()
        assert isinstance(stream.error, ValueError)
        assert stream.read() == b""


def test_a_reader_that_stops_early_does_not_leave_the_producer_blocked() -> None:
    produced: list[int] = []

    def endless() -> Iterator[bytes]:
        number = 0
        while True:
            produced.append(number)
            number += 1
            yield b"x"

    before = threading.active_count()
    with ChunkStream(endless(), ahead=2) as stream:
        assert stream.read() == b"x"

    assert threading.active_count() == before
    assert len(produced) <= 5
