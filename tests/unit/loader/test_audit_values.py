"""What the audit writer stores for values JSON and PostgreSQL text cannot hold as they are."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from work_data_hub.io.loader.audit import MAX_ERROR_DETAILS, AuditWriter, _json_safe

pytestmark = pytest.mark.unit


def test_json_safe_turns_every_value_into_plain_json() -> None:
    raw = {
        "text": "a\x00b",
        "nan": math.nan,
        "inf": -math.inf,
        "na": pd.NA,
        "nat": pd.NaT,
        "numpy": np.int64(7),
        "flag": np.bool_(True),
        "decimal": Decimal("1.10"),
        "day": date(2024, 11, 1),
        "stamp": pd.Timestamp("2024-11-01 08:00"),
        "span": timedelta(seconds=90),
        "nested": [{"x": math.nan}, (1, 2)],
        3: "int key",
    }

    assert _json_safe(raw) == {
        "text": "a\ufffdb",
        "nan": None,
        "inf": "-inf",
        "na": None,
        "nat": None,
        "numpy": 7,
        "flag": True,
        "decimal": "1.10",
        "day": "2024-11-01",
        "stamp": "2024-11-01T08:00:00",
        "span": "P0DT0H1M30S",
        "nested": [{"x": None}, [1, 2]],
        "3": "int key",
    }


def writer(password: str | None = None) -> AuditWriter:
    url = sa.make_url("postgresql+psycopg2://etl@db:5432/warehouse").set(password=password)
    return AuditWriter(sa.create_engine(url))


def test_error_details_follow_the_cause_chain_and_hide_passwords() -> None:
    try:
        try:
            raise KeyError("plan")
        except KeyError as cause:
            raise RuntimeError("load into postgresql://etl:pw1@db/warehouse failed") from cause
    except RuntimeError as error:
        details = writer(password="s3cret")._error_details(error)

    assert details == (
        "RuntimeError: load into postgresql://etl:***@db/warehouse failed\n"
        "caused by: KeyError: 'plan'"
    )


def test_the_engine_password_is_hidden_wherever_it_appears() -> None:
    details = writer(password="s3cret")._error_details(RuntimeError("got s3cret back"))

    assert details == "RuntimeError: got *** back"


def test_long_error_details_keep_their_start_and_end() -> None:
    details = writer()._error_details("x" * 10 + "y" * (MAX_ERROR_DETAILS * 2) + "z" * 10)

    assert len(details) < MAX_ERROR_DETAILS + 100
    assert details.startswith("x" * 10)
    assert details.endswith("z" * 10)
    assert "characters left out" in details
