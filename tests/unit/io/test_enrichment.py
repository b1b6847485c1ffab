from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.config.settings import Settings
from work_data_hub.io.enrichment import (
    ENRICHMENT_SOURCES,
    CacheHits,
    CompanyIdOverrides,
    CompanyIdResolver,
    LearnedCompanyId,
    temporary_company_id,
)

pytestmark = pytest.mark.unit

KEY = b"test-key"


class FakeCache:
    """An in-memory company_id_cache that records what it was asked."""

    def __init__(self, by_name: Mapping[str, str]) -> None:
        self.by_name = dict(by_name)
        self.calls: list[set[str]] = []

    def fetch(self, names: Collection[str]) -> CacheHits:
        self.calls.append(set(names))
        return CacheHits({name: self.by_name[name] for name in names if name in self.by_name})


class FakeLookup:
    def __init__(self, known: Mapping[str, str]) -> None:
        self.known = known
        self.calls: list[list[str]] = []

    def lookup(self, names: Sequence[str]) -> Mapping[str, str]:
        self.calls.append(list(names))
        return {name: self.known[name] for name in names if name in self.known}


def test_temporary_id_is_in_plus_16_base32_characters_of_a_keyed_hash() -> None:
    company = temporary_company_id("中国石油天然气集团有限公司", KEY)
    assert company is not None
    assert re.fullmatch(r"IN[A-Z2-7]{16}", company)
    assert temporary_company_id("中国石油天然气集团有限公司", KEY) == company
    assert temporary_company_id("中国石油天然气集团有限公司", b"other-key") != company
    assert temporary_company_id("国家电网有限公司", KEY) != company


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_gets_no_temporary_id(name: str) -> None:
    assert temporary_company_id(name, KEY) is None


def test_sources_are_asked_in_order_and_counted_per_row() -> None:
    cache = FakeCache(by_name={"CACHED": "C1", "BOTH": "C2", "HAS_ID": "C-unused"})
    lookup = FakeLookup({"LOOKED": "L1", "CACHED": "L-unused"})
    resolver = CompanyIdResolver(
        hmac_key=KEY,
        overrides=CompanyIdOverrides(by_plan_code={"Z1": "O1"}, by_name={"BOTH": "O2"}),
        cache=cache,
        lookup=lookup,
    )

    ids = resolver.enrich_many(
        ["ANY", "BOTH", "CACHED", "HAS_ID", "LOOKED", "NEW", None, ""],
        ["Z1", None, None, None, None, None, None, "Z1"],
        ["D-unused", None, None, "D1", None, None, None, None],
    )

    assert ids == ["O1", "O2", "C1", "D1", "L1", temporary_company_id("NEW", KEY), None, "O1"]
    assert resolver.source_counts == {
        "override": 3,
        "data": 1,
        "cache": 1,
        "lookup": 1,
        "temporary": 1,
        "none": 1,
    }
    assert cache.calls == [{"CACHED", "LOOKED", "NEW"}]
    assert lookup.calls == [["LOOKED", "NEW"]]


def test_the_cache_never_answers_by_plan_code() -> None:
    cache = FakeCache(by_name={"甲有限公司": "CID_A"})
    resolver = CompanyIdResolver(hmac_key=KEY, cache=cache)

    ids = resolver.enrich_many(
        ["甲有限公司", "乙有限公司", "丙有限公司"], ["P0001"] * 3, ["CID_FIXED", None, None]
    )

    assert ids == [
        "CID_FIXED",
        temporary_company_id("乙有限公司", KEY),
        temporary_company_id("丙有限公司", KEY),
    ]


_NAMES = st.text(alphabet="甲乙丙丁戊己庚辛有限公司AB ", min_size=1, max_size=6).filter(str.strip)


@given(
    cached=st.dictionaries(_NAMES, st.uuids().map(str), max_size=6),
    rows=st.lists(
        st.tuples(_NAMES, st.sampled_from(["P1", "P2", None]), st.booleans()),
        min_size=1,
        max_size=12,
    ),
)
def test_distinct_names_never_share_an_id_without_an_override(
    cached: dict[str, str], rows: list[tuple[str, str | None, bool]]
) -> None:
    """Cache, ids in the data (one per name) and temporary ids all answer per name."""
    names = [name for name, _, _ in rows]
    codes = [code for _, code, _ in rows]
    existing = [f"FILE-{name.strip()}" if in_file else None for name, _, in_file in rows]
    resolver = CompanyIdResolver(hmac_key=KEY, cache=FakeCache(cached))

    ids = resolver.enrich_many(names, codes, existing)

    names_of_id: dict[str | None, set[str]] = {}
    for name, company in zip(names, ids, strict=True):
        names_of_id.setdefault(company, set()).add(name.strip())
    assert None not in names_of_id
    assert all(len(group) == 1 for group in names_of_id.values()), names_of_id


@given(names=st.lists(_NAMES, min_size=2, max_size=6, unique_by=str.strip))
def test_a_plan_code_override_is_the_only_way_names_share_an_id(names: list[str]) -> None:
    overrides = CompanyIdOverrides(by_plan_code={"P1": "GROUP"})
    resolver = CompanyIdResolver(hmac_key=KEY, overrides=overrides)

    in_plan = resolver.enrich_many(names, ["P1"] * len(names))
    elsewhere = resolver.enrich_many(names, ["P2"] * len(names))

    assert set(in_plan) == {"GROUP"}
    assert len(set(elsewhere)) == len(names)


def test_counts_accumulate_over_batches_and_list_every_source() -> None:
    resolver = CompanyIdResolver(hmac_key=KEY)
    assert resolver.source_counts == dict.fromkeys(ENRICHMENT_SOURCES, 0)
    resolver.enrich_many(["A", "B"])
    resolver.enrich_many(["C"])
    assert resolver.source_counts["temporary"] == 3


def test_batches_in_chunks_ask_and_count_what_one_batch_would() -> None:
    """A run enriching its rows in chunks asks the lookup each name once and counts it once."""
    names = ["A", "LOOKED", "B", "A", "LOOKED", "C"]
    whole_lookup, chunked_lookup = FakeLookup({"LOOKED": "L1"}), FakeLookup({"LOOKED": "L1"})
    whole = CompanyIdResolver(hmac_key=KEY, lookup=whole_lookup)
    chunked = CompanyIdResolver(hmac_key=KEY, lookup=chunked_lookup)

    ids = whole.enrich_many(sorted(set(names)))
    in_chunks = [*chunked.enrich_many(names[:3]), *chunked.enrich_many(names[3:])]

    assert in_chunks == [dict(zip(sorted(set(names)), ids, strict=True))[n] for n in names]
    assert chunked_lookup.calls == [["A", "B", "LOOKED"], ["C"]]
    assert chunked.source_counts == whole.source_counts
    assert chunked.source_counts["lookup"] == 1


def test_an_entry_repeated_within_one_batch_is_resolved_and_counted_once() -> None:
    lookup = FakeLookup({"LOOKED": "L1"})
    resolver = CompanyIdResolver(hmac_key=KEY, lookup=lookup)

    ids = resolver.enrich_many(
        ["LOOKED", "A", None, "A", "LOOKED", "A"],
        None,
        [None, "X1", None, "X1", None, None],
    )

    assert ids[0] == ids[4] == "L1"
    assert ids[1] == ids[3] == "X1"
    assert ids[2] is None
    assert ids[5] is not None
    assert ids[5].startswith("IN")
    assert lookup.calls == [["A", "LOOKED"]]
    assert resolver.source_counts == {
        **dict.fromkeys(ENRICHMENT_SOURCES, 0),
        "data": 1,
        "lookup": 1,
        "temporary": 1,
        "none": 1,
    }


def test_ids_from_the_data_and_the_lookup_are_learned_for_the_cache() -> None:
    resolver = CompanyIdResolver(hmac_key=KEY, lookup=FakeLookup({"LOOKED": "L1"}))
    resolver.enrich_many(
        ["HAS_ID", "LOOKED", "NEW", "HAS_ID"], ["P1", None, None, "P2"], ["D1", None, None, "D2"]
    )
    assert resolver.learned == [
        LearnedCompanyId("HAS_ID", "D1", "data", "P1"),
        LearnedCompanyId("LOOKED", "L1", "lookup", None),
    ]


def test_names_and_codes_are_trimmed_before_matching() -> None:
    resolver = CompanyIdResolver(
        hmac_key=KEY,
        overrides=CompanyIdOverrides(by_plan_code={"Z1": "O1"}, by_name={"ACME": "O2"}),
    )
    assert resolver.enrich_many([" ACME ", "X"], [None, " Z1"]) == ["O2", "O1"]


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        CompanyIdResolver(hmac_key=KEY).enrich_many(["A", "B"], ["P1"])


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="COMPANY_ID_HMAC_KEY"):
        CompanyIdResolver(hmac_key=b"")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_override_files_normalise_names_and_later_files_win(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "a.csv",
        "plan_code,customer_name,company_id\nZ1,,100\n,“招商局集团有限公司”(已转出),200\nZ2,,\n",
    )
    second = _write(tmp_path / "b.csv", "company_id,plan_code,customer_name\n101,Z1,\n")
    overrides = CompanyIdOverrides.from_csv([first, second])
    assert overrides.by_plan_code == {"Z1": "101"}
    assert overrides.by_name == {"招商局集团有限公司": "200"}


def test_override_file_with_a_wrong_header_names_the_file(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", "plan,company_id\nZ1,100\n")
    with pytest.raises(ValueError, match=r"bad\.csv.*customer_name"):
        CompanyIdOverrides.from_csv([bad])


def test_missing_override_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing\.csv"):
        CompanyIdOverrides.from_csv([tmp_path / "missing.csv"])


def test_from_settings_reads_the_configured_overrides_and_key(tmp_path: Path) -> None:
    packaged = _write(tmp_path / "packaged.csv", "plan_code,customer_name,company_id\nZ1,,1\n")
    configured = _write(tmp_path / "site.csv", "plan_code,customer_name,company_id\nZ1,,2\n")
    settings = Settings(
        DATABASE_URL="postgresql://localhost/x",
        COMPANY_ID_HMAC_KEY="site-key",
        COMPANY_ID_OVERRIDES_PATH=configured,
    )
    resolver = CompanyIdResolver.from_settings(None, settings, override_files=[packaged])
    assert resolver.enrich_many(["X", "Y"], ["Z1", None]) == [
        "2",
        temporary_company_id("Y", b"site-key"),
    ]


@given(st.lists(st.sampled_from(["甲公司", "乙公司", "丙公司", "", " "]), max_size=30))
def test_the_same_name_always_gets_the_same_id(names: list[str]) -> None:
    ids = CompanyIdResolver(hmac_key=KEY).enrich_many(names)
    by_name: dict[str, str | None] = {}
    for name, company in zip(names, ids, strict=True):
        assert by_name.setdefault(name, company) == company
        assert (company is None) == (not name.strip())
