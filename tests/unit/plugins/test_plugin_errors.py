"""Error summaries for broken plugins: one line, the exception type, where it happened."""

from __future__ import annotations

import inspect

import pytest
from work_data_hub.plugins.errors import MAX_SUMMARY_LENGTH, BrokenPlugin, summarize_exception

pytestmark = pytest.mark.unit


def _raised(exc: Exception) -> Exception:
    try:
        raise exc
    except Exception as caught:
        return caught


def _fail_reading_a_sheet() -> None:
    raise ValueError("bad sheet name\nmore detail\nand more")


def test_a_summary_is_the_type_the_first_line_and_the_place() -> None:
    with pytest.raises(ValueError, match="bad sheet name") as raised:
        _fail_reading_a_sheet()
    raise_line = inspect.getsourcelines(_fail_reading_a_sheet)[1] + 1

    summary = summarize_exception(raised.value)

    assert summary == f"ValueError: bad sheet name (at {__file__}:{raise_line})"


def test_a_syntax_error_names_its_file_and_line() -> None:
    exc = _raised(SyntaxError("invalid syntax", ("plugin.py", 3, 1, "def (", 3, 2)))

    assert (
        summarize_exception(exc)
        == "SyntaxError: invalid syntax (plugin.py, line 3) (at plugin.py:3)"
    )


def test_an_exception_without_message_or_traceback_is_its_type() -> None:
    assert summarize_exception(KeyError()) == "KeyError"


def test_a_long_summary_is_cut() -> None:
    summary = summarize_exception(RuntimeError("x" * 1000))

    assert len(summary) == MAX_SUMMARY_LENGTH
    assert summary.endswith("…")


def test_a_broken_plugin_describes_itself_on_one_line() -> None:
    broken = BrokenPlugin("wdh-x", "1.0", "x", "import failed: ImportError: nope")

    assert (
        broken.describe() == "plugin wdh-x 1.0 (entry point 'x'): import failed: ImportError: nope"
    )
