"""Why a run failed, in one line: driver errors, unreadable files, everything else unchanged."""

from __future__ import annotations

import pytest
from psycopg2 import errors
from sqlalchemy.exc import OperationalError
from work_data_hub.io.runs.failures import failure_message

pytestmark = pytest.mark.unit


class _Driver(errors.QueryCanceled):
    pgcode = "57014"


def test_a_statement_timeout_names_the_setting_on_one_line() -> None:
    driver = _Driver("canceling statement due to statement timeout\nCONTEXT: COPY t, line 2")
    wrapped = OperationalError("COPY t FROM STDIN", {}, driver)

    message = failure_message(wrapped)

    assert message == (
        "the database cancelled a statement after statement_timeout "
        "(WDH_DB_STATEMENT_TIMEOUT_S) ran out: canceling statement due to statement timeout; "
        "nothing was loaded"
    )


def test_an_unreadable_file_names_the_file_and_the_reason() -> None:
    error = PermissionError(13, "Permission denied", "/inbox/a.xlsx")

    assert failure_message(error) == "file '/inbox/a.xlsx' cannot be read: Permission denied"


def test_other_errors_keep_their_message_or_their_type() -> None:
    assert failure_message(ValueError("line one\nline two")) == "line one\nline two"
    assert failure_message(KeyboardInterrupt()) == "KeyboardInterrupt"


def test_a_cycle_of_causes_ends_the_walk_instead_of_hanging() -> None:
    first, second = ValueError("the sheet is refused"), RuntimeError("inner")
    first.__cause__, second.__cause__ = second, first

    assert failure_message(first) == "the sheet is refused"
