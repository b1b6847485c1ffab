"""The rejects file may never be one of the run's input files, however the path is spelled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from work_data_hub.io.runs import RejectsOutConflict
from work_data_hub.io.runs.request import check_rejects_out

pytestmark = pytest.mark.unit


def test_every_spelling_of_an_input_file_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(b"workbook")
    (tmp_path / "sub").mkdir()
    os.link(source, tmp_path / "hard.xlsx")
    (tmp_path / "soft.xlsx").symlink_to(source)
    spellings = [source, tmp_path / "sub" / ".." / "in.xlsx", tmp_path / "hard.xlsx"]
    spellings.append(tmp_path / "soft.xlsx")

    for spelling in spellings:
        with pytest.raises(RejectsOutConflict, match="input file"):
            check_rejects_out(spelling, [tmp_path / "other.csv", source])


def test_another_path_or_none_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    source.write_bytes(b"workbook")

    check_rejects_out(tmp_path / "rejects.csv", [source])
    check_rejects_out(None, [source])
