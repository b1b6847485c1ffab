"""The production log file: one ``workdatahub-YYYYMMDD.log`` per UTC day, 30 days kept."""

from __future__ import annotations

import re
import time
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path

__all__ = ["DEFAULT_RETENTION_DAYS", "DailyLogFileHandler", "log_file_name"]

DEFAULT_RETENTION_DAYS = 30
_LOG_FILE = re.compile(r"^workdatahub-\d{8}\.log$")


def log_file_name(timestamp: float) -> str:
    """Return the log file name for the UTC day containing ``timestamp`` (seconds since epoch)."""
    return time.strftime("workdatahub-%Y%m%d.log", time.gmtime(timestamp))


class DailyLogFileHandler(TimedRotatingFileHandler):
    """Writes ``<directory>/workdatahub-YYYYMMDD.log`` for the current UTC day.

    It rolls over at UTC midnight by switching to the next day's file (nothing is renamed, so
    every file is named after the day it holds) and keeps the newest ``retention_days`` older
    files, deleting the rest at start-up and at every rollover.
    """

    def __init__(self, directory: Path, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        super().__init__(
            directory / log_file_name(time.time()),
            when="midnight",
            backupCount=retention_days,
            encoding="utf-8",
            delay=True,
            utc=True,
        )
        self._delete_expired()

    def doRollover(self) -> None:  # noqa: N802 - the stdlib's name
        """Close today's file, move to the file of the new UTC day and delete expired files."""
        if self.stream:
            self.stream.close()
            self.stream = None
        now = int(time.time())
        self.baseFilename = str((self.directory / log_file_name(now)).absolute())
        self._delete_expired()
        next_rollover = self.computeRollover(now)
        while next_rollover <= now:
            next_rollover += self.interval
        self.rolloverAt = next_rollover

    def getFilesToDelete(self) -> list[str]:  # noqa: N802 - the stdlib's name
        """Return the day files older than the newest ``backupCount`` ones (today's excluded)."""
        current = Path(self.baseFilename).name
        older = sorted(
            path.name
            for path in self.directory.iterdir()
            if _LOG_FILE.match(path.name) and path.name < current
        )
        expired = older[: max(len(older) - self.backupCount, 0)]
        return [str(self.directory / name) for name in expired]

    def _delete_expired(self) -> None:
        for path in self.getFilesToDelete():
            Path(path).unlink(missing_ok=True)
