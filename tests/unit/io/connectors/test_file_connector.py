"""Monthly file discovery: folders, version folders, patterns, exclusions, selection rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from work_data_hub.domain.definition import SourceSpec
from work_data_hub.io.connectors.file_connector import (
    FileDiscoveryError,
    discover_file,
    folder_for,
    list_months,
    name_matches,
    validate_month,
)

pytestmark = pytest.mark.unit

ANNUITY = SourceSpec(
    patterns=("*规模收入数据*.xlsx", "*规模*收入数据*.xlsx", "*年金终稿*"),
    folder="{YYYYMM}/收集数据/数据采集",
    sheet="规模明细",
)
REAL_NAME = "【for年金机构经营分析】24年11月年金规模收入数据 1111.xlsx"


def _touch(path: Path, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def _base(inbox: Path, month: str = "202411") -> Path:
    return inbox / month / "收集数据" / "数据采集"


def test_the_one_matching_file_of_the_base_folder_is_found(tmp_path: Path) -> None:
    expected = _touch(_base(tmp_path) / REAL_NAME)
    _touch(_base(tmp_path) / "说明.docx")

    assert discover_file(tmp_path, ANNUITY, "202411") == expected


def test_highest_version_folder_with_a_match_wins(tmp_path: Path) -> None:
    base = _base(tmp_path)
    _touch(base / REAL_NAME)
    _touch(base / "V1" / REAL_NAME)
    v2 = _touch(base / "v2" / "24年11月规模收入数据V2.xlsx")
    _touch(base / "V10" / "notes.txt")
    _touch(base / "V3x" / REAL_NAME)

    assert discover_file(tmp_path, ANNUITY, "202411") == v2


def test_version_folders_sort_by_number_not_text(tmp_path: Path) -> None:
    base = _base(tmp_path)
    _touch(base / "V9" / REAL_NAME)
    v10 = _touch(base / "V10" / REAL_NAME)

    assert discover_file(tmp_path, ANNUITY, "202411") == v10


def test_exclusions_skip_lock_mail_and_reply_files(tmp_path: Path) -> None:
    base = _base(tmp_path)
    _touch(base / f"~${REAL_NAME}")
    _touch(base / "24年11月规模收入数据.eml")
    _touch(base / "回复：24年11月规模收入数据.xlsx")
    expected = _touch(base / REAL_NAME)

    assert discover_file(tmp_path, ANNUITY, "202411") == expected


def test_patterns_ignore_case_and_the_older_naming_matches(tmp_path: Path) -> None:
    expected = _touch(_base(tmp_path) / "2024年11月年金终稿.XLSX")

    assert discover_file(tmp_path, ANNUITY, "202411") == expected
    assert name_matches("24年11月规模收入数据.XLSX", ANNUITY)
    assert not name_matches("~$24年11月规模收入数据.xlsx", ANNUITY)


def test_two_matches_are_an_error_listing_them(tmp_path: Path) -> None:
    base = _base(tmp_path)
    _touch(base / "b_规模收入数据.xlsx")
    _touch(base / "a_规模收入数据.xlsx")

    with pytest.raises(FileDiscoveryError) as raised:
        discover_file(tmp_path, ANNUITY, "202411")

    assert str(raised.value) == (
        f"2 files in {base} match: 'a_规模收入数据.xlsx', 'b_规模收入数据.xlsx'; keep only one, "
        "or choose with --select newest, --select oldest or --select first"
    )


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        ("newest", "a_规模收入数据.xlsx"),
        ("oldest", "c_规模收入数据.xlsx"),
        ("first", "a_规模收入数据.xlsx"),
    ],
)
def test_a_selection_rule_picks_one(tmp_path: Path, select: str, expected: str) -> None:
    base = _base(tmp_path)
    _touch(base / "b_规模收入数据.xlsx", mtime=2_000_000)
    _touch(base / "a_规模收入数据.xlsx", mtime=3_000_000)
    _touch(base / "c_规模收入数据.xlsx", mtime=1_000_000)

    assert discover_file(tmp_path, ANNUITY, "202411", select=select).name == expected  # type: ignore[arg-type]


def test_nothing_found_names_the_folders_and_patterns(tmp_path: Path) -> None:
    base = _base(tmp_path)
    _touch(base / "V1" / "readme.txt")
    _touch(base / f"~${REAL_NAME}")

    with pytest.raises(FileDiscoveryError) as raised:
        discover_file(tmp_path, ANNUITY, "202411")

    assert str(raised.value) == (
        "no file for month 202411 matches '*规模收入数据*.xlsx', '*规模*收入数据*.xlsx', "
        f"'*年金终稿*'; searched {base / 'V1'}, {base}; excluded by '~$*', '*.eml', '*回复*': "
        f"'~${REAL_NAME}'; files there: 'readme.txt'"
    )


def test_missing_month_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileDiscoveryError) as raised:
        discover_file(tmp_path, ANNUITY, "202412")

    assert str(raised.value) == (
        f"no folder for month 202412: {_base(tmp_path, '202412')} does not exist "
        f"(INBOX_DIR={tmp_path}, folder pattern '{{YYYYMM}}/收集数据/数据采集'); "
        "no month of the inbox has a file for this source"
    )


def test_a_missing_month_folder_names_the_months_that_have_a_file(tmp_path: Path) -> None:
    for month in ("202401", "202410", "202501"):
        _touch(_base(tmp_path, month) / REAL_NAME)

    with pytest.raises(FileDiscoveryError) as raised:
        discover_file(tmp_path, ANNUITY, "202411")

    assert str(raised.value).endswith("; months with a file: 202410, 202501, 202401")


def test_a_missing_month_folder_names_the_inbox_setting_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default INBOX_DIR is ``inbox``: the message must not read "inbox inbox"."""
    monkeypatch.chdir(tmp_path)

    with pytest.raises(FileDiscoveryError) as raised:
        discover_file(Path("inbox"), ANNUITY, "202412")

    assert "inbox inbox" not in str(raised.value)
    assert "(INBOX_DIR=inbox, folder pattern" in str(raised.value)


@pytest.mark.parametrize(
    "month", ["2024-11", "20241", "202413", "202400", "２０２４１１", "abcdef"]
)
def test_month_must_be_yyyymm(tmp_path: Path, month: str) -> None:
    with pytest.raises(FileDiscoveryError, match=r"is not YYYYMM \(for example 202411\)"):
        discover_file(tmp_path, ANNUITY, month)


def test_validate_month_returns_a_valid_month() -> None:
    assert validate_month("203012") == "203012"


def test_folder_pattern_may_use_year_and_month(tmp_path: Path) -> None:
    source = SourceSpec(patterns=("*.csv",), folder="{YYYY}/{MM}/in")

    assert folder_for(tmp_path, source, "202411") == tmp_path / "2024" / "11" / "in"


def test_unknown_placeholder_in_folder_pattern_is_an_error(tmp_path: Path) -> None:
    source = SourceSpec(patterns=("*.csv",), folder="{month}")

    with pytest.raises(FileDiscoveryError, match=r"only \{YYYYMM\}, \{YYYY\} and \{MM\}"):
        folder_for(tmp_path, source, "202411")


def test_list_months_returns_months_with_a_matching_file(tmp_path: Path) -> None:
    _touch(_base(tmp_path, "202410") / REAL_NAME)
    _touch(_base(tmp_path, "202411") / "V2" / REAL_NAME)
    _touch(_base(tmp_path, "202412") / "readme.txt")
    _touch(_base(tmp_path, "202501") / "a_规模收入数据.xlsx")
    _touch(_base(tmp_path, "202501") / "b_规模收入数据.xlsx")
    _touch(_base(tmp_path, "202413") / REAL_NAME)
    _touch(tmp_path / "misc" / "收集数据" / "数据采集" / REAL_NAME)

    assert list_months(tmp_path, ANNUITY) == ["202410", "202411", "202501"]


def test_list_months_with_year_and_month_folders(tmp_path: Path) -> None:
    source = SourceSpec(patterns=("*.csv",), folder="{YYYY}/{MM}")
    _touch(tmp_path / "2024" / "11" / "a.csv")
    _touch(tmp_path / "2024" / "12" / "a.txt")
    _touch(tmp_path / "2025" / "01" / "b.csv")

    assert list_months(tmp_path, source) == ["202411", "202501"]


def test_list_months_needs_a_month_in_the_folder_pattern(tmp_path: Path) -> None:
    with pytest.raises(FileDiscoveryError, match="names no month"):
        list_months(tmp_path, SourceSpec(patterns=("*.csv",), folder="inbox/{YYYY}"))
