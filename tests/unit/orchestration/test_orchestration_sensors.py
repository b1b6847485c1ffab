"""Inbox sensors: a run for each new (month, file, modification time), nothing twice."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from dagster import DefaultSensorStatus, SensorDefinition, build_sensor_context
from plugin_site import Site
from work_data_hub.config import Settings
from work_data_hub.orchestration.jobs import build_domain_job
from work_data_hub.orchestration.schedules import MONTH_TAG
from work_data_hub.orchestration.sensors import (
    InboxFile,
    build_inbox_sensor,
    decode_cursor,
    encode_cursor,
)
from work_data_hub.plugins import SourceSpec

pytestmark = pytest.mark.unit

SOURCE = SourceSpec(patterns=("orders*.csv",), file_type="csv")


def _drop(inbox: Path, relative: str, mtime_ns: int = 1_700_000_000_000_000_000) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id\n1\n", encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


@pytest.fixture
def inbox_sensor(site: Site, settings: Settings) -> SensorDefinition:
    site.add_domain("fake-orders", "orders")
    job = build_domain_job(site.load().get("orders"))
    return build_inbox_sensor(job, "orders", SOURCE, settings)


class Ticks:
    """Evaluates a sensor tick after tick, carrying the cursor along as Dagster does."""

    def __init__(self, sensor: SensorDefinition) -> None:
        self.sensor = sensor
        self.cursor: str | None = None

    def tick(self) -> list[Any]:
        data = self.sensor.evaluate_tick(build_sensor_context(cursor=self.cursor))
        if data.cursor is not None:
            self.cursor = data.cursor
        return list(data.run_requests or [])


def _files(requests: list[Any]) -> list[str]:
    return [request.run_config["ops"]["read"]["config"]["file"] for request in requests]


def test_the_sensor_is_named_after_its_domain_and_stopped(inbox_sensor: SensorDefinition) -> None:
    assert inbox_sensor.name == "orders_inbox_sensor"
    assert inbox_sensor.job_name == "orders_job"
    assert inbox_sensor.default_status == DefaultSensorStatus.STOPPED


def test_files_present_at_the_first_tick_are_recorded_not_run(
    inbox_sensor: SensorDefinition, settings: Settings
) -> None:
    _drop(settings.INBOX_DIR, "202410/orders.csv")
    ticks = Ticks(inbox_sensor)

    assert ticks.tick() == []
    assert [item.month for item in decode_cursor(ticks.cursor)] == ["202410"]
    assert ticks.tick() == []


def test_a_new_month_starts_one_run_on_that_file(
    inbox_sensor: SensorDefinition, settings: Settings
) -> None:
    _drop(settings.INBOX_DIR, "202410/orders.csv")
    ticks = Ticks(inbox_sensor)
    ticks.tick()

    new_file = _drop(settings.INBOX_DIR, "202411/orders 1111.csv")
    [request] = ticks.tick()

    assert _files([request]) == [str(new_file)]
    assert request.tags[MONTH_TAG] == "202411"
    assert request.run_key == f"202411:{new_file}:{new_file.stat().st_mtime_ns}"
    assert ticks.tick() == []


def test_a_reissued_file_runs_again(inbox_sensor: SensorDefinition, settings: Settings) -> None:
    first = _drop(settings.INBOX_DIR, "202411/orders.csv")
    ticks = Ticks(inbox_sensor)
    ticks.tick()

    version_two = _drop(settings.INBOX_DIR, "202411/V2/orders.csv")
    assert _files(ticks.tick()) == [str(version_two)]

    _drop(settings.INBOX_DIR, "202411/V2/orders.csv", mtime_ns=1_800_000_000_000_000_000)
    assert _files(ticks.tick()) == [str(version_two)]
    assert first.exists()


def test_an_ambiguous_month_waits_until_it_is_resolved(
    inbox_sensor: SensorDefinition, settings: Settings
) -> None:
    ticks = Ticks(inbox_sensor)
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
