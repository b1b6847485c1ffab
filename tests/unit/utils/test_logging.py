import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from work_data_hub.config import Settings
from work_data_hub.utils.log_files import DailyLogFileHandler
from work_data_hub.utils.logging import configure_logging, get_logger

pytestmark = pytest.mark.unit

ConfigureLogging = Callable[..., Settings]
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
PASSWORD = "s3cr3t-Pa55"


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_a_line_has_exactly_the_seed_fields(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    get_logger("domain.pipeline").info(
        "Pipeline step completed", step_name="validate_data", duration_ms=1250, row_count=1000
    )
    [line] = _lines(capsys)
    assert list(line) == ["timestamp", "level", "logger", "message", "context"]
    assert line["level"] == "INFO"
    assert line["logger"] == "domain.pipeline"
    assert line["message"] == "Pipeline step completed"
    assert line["context"] == {"step_name": "validate_data", "duration_ms": 1250, "row_count": 1000}


def test_the_timestamp_is_iso_8601_utc_with_z(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    before = datetime.now(UTC).replace(microsecond=0)
    get_logger("t").info("tick")
    [line] = _lines(capsys)
    assert ISO_UTC.match(line["timestamp"]), line["timestamp"]
    logged = datetime.fromisoformat(line["timestamp"].replace("Z", "+00:00"))
    assert before <= logged <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("method", "level"),
    [
        ("debug_with_context", "DEBUG"),
        ("info_with_context", "INFO"),
        ("warning_with_context", "WARNING"),
        ("error_with_context", "ERROR"),
    ],
)
def test_with_context_helpers_log_at_their_level(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str], method: str, level: str
) -> None:
    use_logging(level="DEBUG")
    getattr(get_logger("helpers"), method)("loaded", table="annuity_performance", rows=3)
    [line] = _lines(capsys)
    assert (line["level"], line["message"]) == (level, "loaded")
    assert line["context"] == {"table": "annuity_performance", "rows": 3}


def test_info_level_suppresses_debug(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging(level="INFO")
    log = get_logger("levels")
    log.debug("hidden")
    log.debug_with_context("hidden too", a=1)
    logging.getLogger("sqlalchemy.engine").debug("hidden as well")
    log.info("shown")
    assert [line["message"] for line in _lines(capsys)] == ["shown"]


def test_debug_level_shows_debug(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging(level="DEBUG")
    get_logger("levels").debug("shown")
    assert [line["level"] for line in _lines(capsys)] == ["DEBUG"]


def test_warning_level_suppresses_info(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging(level="WARNING")
    log = get_logger("levels")
    log.info("hidden")
    log.warning("shown")
    assert [line["message"] for line in _lines(capsys)] == ["shown"]


def test_exceptions_carry_their_stack_trace(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    log = get_logger("failures")
    lookup: dict[str, int] = {}
    try:
        lookup["missing"]
    except KeyError:
        log.exception("lookup failed", key="missing")
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        log.error("division failed", exc_info=True)
    first, second = _lines(capsys)
    assert list(first) == ["timestamp", "level", "logger", "message", "context", "exception"]
    assert first["level"] == "ERROR"
    assert first["context"] == {"key": "missing"}
    assert first["exception"].startswith("Traceback (most recent call last):")
    assert "test_exceptions_carry_their_stack_trace" in first["exception"]
    assert "KeyError: 'missing'" in first["exception"]
    assert "ZeroDivisionError: division by zero" in second["exception"]


def test_bound_and_context_variables_join_the_context(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    structlog.contextvars.bind_contextvars(execution_id="run-1")
    try:
        get_logger("bound").bind(domain="annuity").info("step", rows=5)
    finally:
        structlog.contextvars.clear_contextvars()
    [line] = _lines(capsys)
    assert line["context"] == {"execution_id": "run-1", "domain": "annuity", "rows": 5}


def test_standard_library_loggers_share_the_format(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    logging.getLogger("alembic.runtime.migration").info(
        "Running upgrade %s -> %s", "base", "abc123", extra={"branch": "core"}
    )
    [migration] = _lines(capsys)
    assert list(migration) == ["timestamp", "level", "logger", "message", "context"]
    assert migration["logger"] == "alembic.runtime.migration"
    assert migration["message"] == "Running upgrade base -> abc123"
    assert migration["context"] == {"branch": "core"}
    assert ISO_UTC.match(migration["timestamp"])


def test_values_json_cannot_hold_are_written_as_text(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    get_logger("types").info("read", path=Path("inbox/2025-01.xlsx"), sheet="规模明细", share=0.5)
    [line] = _lines(capsys)
    assert line["context"] == {"path": "inbox/2025-01.xlsx", "sheet": "规模明细", "share": 0.5}


def test_secrets_are_masked_everywhere(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    use_logging()
    url = f"postgresql://wdh:{PASSWORD}@db.example/warehouse"
    log = get_logger("secrets")
    log.info(f"connecting to {url}", target=url, nested={"dsn": f"password={PASSWORD}"})
    log.info("credentials", password=PASSWORD, db_password=PASSWORD, access_token=PASSWORD)
    logging.getLogger("psycopg2").warning("dsn host=db password=%s", PASSWORD)
    try:
        raise ConnectionError(f"could not connect to {url}")
    except ConnectionError:
        log.exception("connect failed")
    output = capsys.readouterr().out
    assert PASSWORD not in output
    connecting, credentials, dsn, failure = (json.loads(line) for line in output.splitlines())
    assert connecting["message"] == "connecting to postgresql://wdh:***@db.example/warehouse"
    assert connecting["context"] == {
        "target": "postgresql://wdh:***@db.example/warehouse",
        "nested": {"dsn": "password=***"},
    }
    assert set(credentials["context"].values()) == {"***"}
    assert dsn["message"] == "dsn host=db password=***"
    assert "postgresql://wdh:***@db.example" in failure["exception"]


def test_prod_adds_a_daily_file_kept_30_days(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str], clean_environment: Path
) -> None:
    use_logging(environment="prod")
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, DailyLogFileHandler)]
    assert (handler.when, handler.interval, handler.backupCount, handler.utc) == (
        "MIDNIGHT",
        86400,
        30,
        True,
    )
    today = time.strftime("%Y%m%d", time.gmtime())
    assert Path(handler.baseFilename) == clean_environment / "logs" / f"workdatahub-{today}.log"
    get_logger("prod").warning("disk almost full", free_gb=3)
    handler.flush()
    [file_line] = [json.loads(line) for line in Path(handler.baseFilename).read_text().splitlines()]
    [stdout_line] = _lines(capsys)
    assert file_line == stdout_line
    assert file_line["context"] == {"free_gb": 3}


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_only_prod_writes_a_log_file(
    use_logging: ConfigureLogging, clean_environment: Path, environment: str
) -> None:
    use_logging(environment=environment)
    get_logger("quiet").warning("stdout only")
    assert not any(isinstance(h, DailyLogFileHandler) for h in logging.getLogger().handlers)
    assert not (clean_environment / "logs").exists()


def test_machine_readable_commands_can_log_to_stderr(
    use_logging: ConfigureLogging, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = use_logging()
    configure_logging(settings, force=True, output="stderr")
    get_logger("cli").info("to stderr", rows=1)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err)["context"] == {"rows": 1}


def test_reconfiguring_replaces_only_its_own_handlers(use_logging: ConfigureLogging) -> None:
    foreign = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(foreign)
    try:
        use_logging(environment="prod")
        use_logging(environment="prod")
        ours = [h for h in root.handlers if isinstance(h, DailyLogFileHandler)]
        assert len(ours) == 1
        assert foreign in root.handlers
    finally:
        root.removeHandler(foreign)


FIRST_LINE = "from work_data_hub.utils.logging import get_logger\nget_logger('x').info('logged')\n"


def _run_python(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_logging_is_configured_on_the_first_line_not_at_get_logger(tmp_path: Path) -> None:
    script = (
        "import os\n"
        "from work_data_hub.utils.logging import configure_logging, get_logger\n"
        "log = get_logger('lazy')\n"
        "os.environ['LOG_LEVEL'] = 'WARNING'\n"
        "log.info('hidden')\n"
        "log.warning('shown')\n"
    )
    result = _run_python(script, tmp_path)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["message"] for line in result.stdout.splitlines()] == ["shown"]


def test_invalid_settings_fall_back_to_defaults_and_say_so(tmp_path: Path) -> None:
    result = _run_python(FIRST_LINE, tmp_path, LOG_LEVEL="verbose")
    assert result.returncode == 0, result.stderr
    warning, logged = (json.loads(line) for line in result.stdout.splitlines())
    assert warning["level"] == "WARNING"
    assert "settings are invalid" in warning["message"]
    assert any("LOG_LEVEL" in error for error in warning["context"]["errors"])
    assert logged["message"] == "logged"


def test_warnings_go_through_the_same_format(tmp_path: Path) -> None:
    result = _run_python(
        FIRST_LINE + "import warnings\nwarnings.warn('old option', DeprecationWarning)\n",
        tmp_path,
        ENVIRONMENT="staging",
        DATABASE_URL="postgresql://wdh@db.example/warehouse",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    hmac_key, logged, deprecation = (json.loads(line) for line in result.stdout.splitlines())
    assert hmac_key["level"] == "WARNING"
    assert "COMPANY_ID_HMAC_KEY" in hmac_key["message"]
    assert hmac_key["context"] == {"category": "UserWarning"}
    assert logged["message"] == "logged"
    assert (deprecation["logger"], deprecation["level"]) == ("py.warnings", "WARNING")
    assert "DeprecationWarning: old option" in deprecation["message"]
