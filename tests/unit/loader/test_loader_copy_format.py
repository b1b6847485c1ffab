"""The CSV the loader sends to COPY, and the rows it binds to INSERT, value by value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from work_data_hub.io.loader.copy_format import arrow_csv_chunks, frame_rows

pytestmark = pytest.mark.unit


def csv_lines(frame: pd.DataFrame) -> list[str]:
    return b"".join(arrow_csv_chunks(frame)).decode("utf-8").splitlines()


def test_null_is_an_empty_field_and_the_empty_string_is_quoted() -> None:
    frame = pd.DataFrame({"s": pd.Series(["", None, "x"], dtype="str")})

    assert csv_lines(frame) == ['""', "", '"x"']


def test_quotes_commas_newlines_and_backslashes_are_quoted_csv() -> None:
    frame = pd.DataFrame({"s": ['say "hi"', "a,b", "back\\slash \\N", "two\nlines"]})

    text = b"".join(arrow_csv_chunks(frame)).decode("utf-8")

    assert text == '"say ""hi"""\n"a,b"\n"back\\slash \\N"\n"two\nlines"\n'


def test_numbers_keep_their_exact_text() -> None:
    frame = pd.DataFrame(
        {
            "f": [0.1, 0.30000000000000004, 123.0, float("nan")],
            "d": [Decimal("12345678901234.5678"), Decimal("-0.0001"), None, Decimal("1.10")],
            "i": pd.array([1, None, -3, 2**62], dtype="Int64"),
        }
    )

    assert csv_lines(frame) == [
        "0.1,12345678901234.5678,1",
        "0.30000000000000004,-0.0001,",
        "123,,-3",
        f",1.1000,{2**62}",
    ]


def test_dates_timestamps_and_booleans() -> None:
    frame = pd.DataFrame(
        {
            "d": [date(2024, 2, 29), None],
            "ts": pd.Series([pd.Timestamp("2024-01-31 12:34:56.789012"), pd.NaT]),
            "b": pd.array([True, None], dtype="boolean"),
        }
    )

    assert csv_lines(frame) == ["2024-02-29,2024-01-31 12:34:56.789012,true", ",,"]


def test_columns_arrow_cannot_write_become_text() -> None:
    frame = pd.DataFrame(
        {
            "mixed": pd.Series([1, "x", None], dtype=object),
            "doc": [{"名": [1, 2]}, None, {"a": None}],
            "blob": [b"\x00\xff", None, b""],
            "span": pd.to_timedelta(["1 days 00:00:01", None, "0s"]),
        }
    )

    assert csv_lines(frame) == [
        '"1","{""名"": [1, 2]}","\\x00ff","P1DT0H0M1S"',
        '"x",,,',
        ',"{""a"": null}","\\x","P0DT0H0M0S"',
    ]


def test_chunks_hold_whole_rows() -> None:
    frame = pd.DataFrame({"n": range(10), "s": [f"line\n{n}" for n in range(10)]})

    chunks = list(arrow_csv_chunks(frame, rows_per_chunk=4))

    assert [chunk.count(b'"line\n') for chunk in chunks] == [4, 4, 2]
    assert b"".join(chunks) == b"".join(arrow_csv_chunks(frame))


def test_rows_for_insert_are_plain_python_values() -> None:
    frame = pd.DataFrame(
        {
            "s": pd.Series(["", None], dtype="str"),
            "d": [Decimal("1.5"), None],
            "n": pd.array([7, None], dtype="Int64"),
            "day": [date(2024, 1, 1), None],
            "f": [0.1, float("nan")],
        }
    )

    assert frame_rows(frame) == [
        ("", Decimal("1.5"), 7, date(2024, 1, 1), 0.1),
        (None, None, None, None, None),
    ]


def test_the_frame_is_not_modified() -> None:
    frame = pd.DataFrame({"mixed": pd.Series([1, "x"], dtype=object), "f": [1.0, None]})
    before = frame.copy()

    list(arrow_csv_chunks(frame))
    frame_rows(frame)

    pd.testing.assert_frame_equal(frame, before)


def test_decimal_columns_are_written_digit_for_digit_at_the_places_they_need() -> None:
    frame = pd.DataFrame(
        {
            "amount": pd.Series(
                [Decimal("12345678901234.5678"), None, float("nan"), Decimal("1E+3")], dtype=object
            ),
            "tiny": pd.Series(
                [Decimal("0.00005"), Decimal("0E-7"), Decimal("1E-7"), Decimal("-1.50")],
                dtype=object,
            ),
        }
    )

    assert csv_lines(frame) == [
        "12345678901234.5678,0.0000500",
        ",0E-7",
        ",1E-7",
        "1000.0000,-1.5000000",
    ]
    assert frame_rows(frame)[0] == (Decimal("12345678901234.5678"), Decimal("0.00005"))
    assert frame_rows(frame)[1] == (None, Decimal(0))


def test_a_column_mixing_decimals_and_text_is_written_as_text() -> None:
    frame = pd.DataFrame({"mixed": pd.Series([Decimal("1.5"), "x", None], dtype=object)})

    assert csv_lines(frame) == ['"1.5"', '"x"', ""]
