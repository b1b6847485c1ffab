"""The core's readers, registered as an internal plugin through the ``workdatahub_readers`` hook."""

from __future__ import annotations

from collections.abc import Mapping

from work_data_hub.domain.readers import Reader
from work_data_hub.io.readers.csv import CsvReader
from work_data_hub.io.readers.excel import ExcelReader
from work_data_hub.plugins.hookspecs import hookimpl


@hookimpl
def workdatahub_readers() -> Mapping[str, Reader]:
    """Return the built-in readers: ``"excel"`` (python-calamine) and ``"csv"``."""
    return {"excel": ExcelReader(), "csv": CsvReader()}
