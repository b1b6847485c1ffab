import calendar
import logging
import time
from pathlib import Path

import pytest
from work_data_hub.utils.log_files import DailyLogFileHandler, log_file_name

pytestmark = pytest.mark.unit

DAY = 86400
NOON_2025_11_09 = calendar.timegm((2025, 11, 9, 12, 0, 0))


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("test", logging.INFO, __file__, 1, message, None, None)


def test_the_file_is_named_after_its_utc_day() -> None:
    assert log_file_name(0) == "workdatahub-19700101.log"
    assert log_file_name(NOON_2025_11_09) == "workdatahub-20251109.log"
    assert log_file_name(calendar.timegm((2025, 11, 9, 23, 59, 59))) == "workdatahub-20251109.log"


def test_the_handler_rotates_at_utc_midnight_and_keeps_30_days(tmp_path: Path) -> None:
    handler = DailyLogFileHandler(tmp_path / "logs")
    try:
        assert (handler.when, handler.interval, handler.backupCount, handler.utc) == (
            "MIDNIGHT",
            DAY,
            30,
            True,
        )
        assert Path(handler.baseFilename) == tmp_path / "logs" / log_file_name(time.time())
        assert handler.rolloverAt % DAY == 0
        assert 0 < handler.rolloverAt - time.time() <= DAY
    finally:
        handler.close()


def test_old_files_beyond_the_retention_are_deleted_at_start(tmp_path: Path) -> None:
    today = time.time()
    old_days = [log_file_name(today - n * DAY) for n in range(1, 36)]
    unrelated = ["notes.txt", "workdatahub-latest.log", "other-20250101.log"]
    for name in [*old_days, *unrelated]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    handler = DailyLogFileHandler(tmp_path, retention_days=30)
    handler.close()
    remaining = sorted(path.name for path in tmp_path.iterdir())
    assert remaining == sorted([*old_days[:30], *unrelated])


def test_rollover_switches_to_the_next_days_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [float(NOON_2025_11_09)]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    for n in range(1, 31):
        (tmp_path / log_file_name(NOON_2025_11_09 - n * DAY)).write_text("x", encoding="utf-8")
    handler = DailyLogFileHandler(tmp_path)
    try:
        handler.emit(_record("before midnight"))
        clock[0] = NOON_2025_11_09 + 12 * 3600 + 5
        handler.emit(_record("after midnight"))
    finally:
        handler.close()
    assert (tmp_path / "workdatahub-20251109.log").read_text().splitlines() == ["before midnight"]
    assert (tmp_path / "workdatahub-20251110.log").read_text().splitlines() == ["after midnight"]
    day_files = sorted(path.name for path in tmp_path.glob("workdatahub-*.log"))
    assert len(day_files) == 31, "today plus the 30 newest older days"
    assert day_files[0] == log_file_name(NOON_2025_11_09 - 29 * DAY)
    assert handler.rolloverAt == calendar.timegm((2025, 11, 11, 0, 0, 0))
