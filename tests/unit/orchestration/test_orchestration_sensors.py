"""Inbox sensors: a run for each new (month, file, modification time), nothing twice."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from dagster import DefaultSensorStatus, Definitions, SensorDefinition, build_sensor_context
from plugin_site import Site
from work_data_hub.config import Settings
from work_data_hub.orchestration.definitions import build_definitions
from work_data_hub.orchestration.schedules import MONTH_TAG
from work_data_hub.orchestration.sensors import (
    InboxFile,
    decode_cursor,
    encode_cursor,
    inbox_files,
)
from work_data_hub.plugins import SourceSpec

pytestmark = pytest.mark.unit


def _drop(inbox: Path, relative: str, mtime_ns: int = 1_700_000_000_000_000_000) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id\n1\n", encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


@pytest.fixture
def location(site: Site, settings: Settings) -> Definitions:
    """A code location with the ``orders`` domain (source ``*.csv``) on the test's inbox."""
    site.add_domain("fake-orders", "orders")
    return build_definitions(site.load(), settings=settings)


@pytest.fixture
def inbox_sensor(location: Definitions) -> SensorDefinition:
    return location.resolve_sensor_def("orders_inbox_sensor")


class Ticks:
    """Evaluates a sensor tick after tick, carrying the cursor along as Dagster does."""

    def __init__(self, sensor: SensorDefinition, location: Definitions | None = None) -> None:
        self.sensor = sensor
        self.location = location
        self.cursor: str | None = None

    def tick(self) -> list[Any]:
        context = build_sensor_context(cursor=self.cursor, definitions=self.location)
        data = self.sensor.evaluate_tick(context)
        if data.cursor is not None:
            self.cursor = data.cursor
        return list(data.run_requests or [])


def _files(requests: list[Any]) -> list[str]:
    return [
        request.run_config["ops"]["warehouse__orders"]["ops"]["read"]["config"]["file"]
        for request in requests
    ]


def test_the_sensor_is_named_after_its_domain_and_stopped(inbox_sensor: SensorDefinition) -> None:
    assert inbox_sensor.name == "orders_inbox_sensor"
    assert inbox_sensor.job_name == "orders_job"
    assert inbox_sensor.default_status == DefaultSensorStatus.STOPPED


def test_files_present_at_the_first_tick_are_recorded_not_run(
    inbox_sensor: SensorDefinition, location: Definitions, settings: Settings
) -> None:
    _drop(settings.INBOX_DIR, "202410/orders.csv")
    ticks = Ticks(inbox_sensor, location)

    assert ticks.tick() == []
    assert [item.month for item in decode_cursor(ticks.cursor)] == ["202410"]
    assert ticks.tick() == []


def test_a_new_month_materialises_its_partition_from_that_file(
    inbox_sensor: SensorDefinition, location: Definitions, settings: Settings
) -> None:
    _drop(settings.INBOX_DIR, "202410/orders.csv")
    ticks = Ticks(inbox_sensor, location)
    ticks.tick()

    new_file = _drop(settings.INBOX_DIR, "202411/orders 1111.csv")
    [request] = ticks.tick()

    assert _files([request]) == [str(new_file)]
    assert request.tags[MONTH_TAG] == "202411"
    assert request.partition_key == "2024-11"
    assert request.run_key == f"202411:{new_file}:{new_file.stat().st_mtime_ns}"
    assert ticks.tick() == []


def test_a_reissued_file_runs_again(
    inbox_sensor: SensorDefinition, location: Definitions, settings: Settings
) -> None:
    first = _drop(settings.INBOX_DIR, "202411/orders.csv")
    ticks = Ticks(inbox_sensor, location)
    ticks.tick()

    version_two = _drop(settings.INBOX_DIR, "202411/V2/orders.csv")
    assert _files(ticks.tick()) == [str(version_two)]

    _drop(settings.INBOX_DIR, "202411/V2/orders.csv", mtime_ns=1_800_000_000_000_000_000)
    assert _files(ticks.tick()) == [str(version_two)]
    assert first.exists()


def test_an_ambiguous_month_waits_until_it_is_resolved(
    inbox_sensor: SensorDefinition, location: Definitions, settings: Settings
) -> None:
    ticks = Ticks(inbox_sensor, location)
    ticks.tick()

    _drop(settings.INBOX_DIR, "202411/orders a.csv")
    extra = _drop(settings.INBOX_DIR, "202411/orders b.csv")
    _drop(settings.INBOX_DIR, "202412/orders.csv")
    assert [request.tags[MONTH_TAG] for request in ticks.tick()] == ["202412"]

    extra.unlink()
    assert [request.tags[MONTH_TAG] for request in ticks.tick()] == ["202411"]


def test_the_cursor_round_trips() -> None:
    seen = {InboxFile("202411", "/inbox/202411/订单.csv", 17), InboxFile("202410", "/a", 1)}

    assert decode_cursor(encode_cursor(seen)) == seen
    assert decode_cursor(None) == set()


def test_a_month_of_one_file_per_branch_is_one_entry_that_changes_with_any_file(
    tmp_path: Path,
) -> None:
    source = SourceSpec(patterns=("branch_*.csv",), file_type="csv", all_files=True)
    east = _drop(tmp_path, "202411/branch_east.csv")
    west = _drop(tmp_path, "202411/branch_west.csv", mtime_ns=1_700_000_001_000_000_000)

    [month] = inbox_files(tmp_path, source)

    assert (month.month, month.path) == ("202411", f"{east} + {west}")
    assert month.mtime_ns == west.stat().st_mtime_ns
    north = _drop(tmp_path, "202411/branch_north.csv")
    [again] = inbox_files(tmp_path, source)
    assert again != month
    assert str(north) in again.path
