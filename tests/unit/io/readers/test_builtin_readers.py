"""The core's readers are an internal plugin answering the public ``workdatahub_readers`` hook."""

from __future__ import annotations

from pathlib import Path

import pluggy
import pytest
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.domain.readers import Reader
from work_data_hub.io.readers import CsvReader, ExcelReader, builtin
from work_data_hub.plugins import hookspecs

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parents[3] / "data" / "readers"


def test_the_hook_answers_an_excel_and_a_csv_reader_through_pluggy() -> None:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(builtin)

    [answer] = manager.hook.workdatahub_readers()

    assert set(answer) == {"excel", "csv"}
    assert isinstance(answer["excel"], ExcelReader)
    assert isinstance(answer["csv"], CsvReader)
    manager.check_pending()


@pytest.mark.parametrize(("kind", "name"), [("excel", "normal.xlsx"), ("csv", "gb18030.csv")])
def test_each_reader_fulfils_the_reader_protocol(kind: str, name: str) -> None:
    reader: Reader = builtin.workdatahub_readers()[kind]

    frame = reader.read(
        FIXTURES / name, SourceSpec(patterns=("*",), header_aliases={"计划号": "计划代码"})
    )

    assert frame["计划代码"].iloc[0] == "00123"
    assert frame["wdh_source_row"].iloc[0] == 2
