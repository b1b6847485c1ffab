"""Company-id enrichment: overrides, the warehouse cache, ids in the data, a lookup, temporary ids.

``CompanyIdResolver`` implements ``EnrichmentProtocol``. For each customer it takes the first
id found, in this order: an override by plan code, an override by normalised name, an id
already present in the data, the warehouse cache (``company_id_cache``) by normalised name,
the external lookup service, and finally a temporary id ``IN`` + 16 characters of an
HMAC-SHA256 of the name. An empty name gets no temporary id. Only an override answers by plan
code: every other source answers for one company name, so distinct names never share an id
unless an operator says so. ``source_counts`` says how many entries each source answered.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.engine import Connection, Engine

from work_data_hub.cleansing.names import normalise_company_name
from work_data_hub.cleansing.text import blank_to_na
from work_data_hub.config.settings import Settings, get_settings
from work_data_hub.domain.services import CompanyLookup
from work_data_hub.io.enrichment_memo import AnsweredEntries, entry_keys
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

ENRICHMENT_SOURCES = ("override", "data", "cache", "lookup", "temporary", "none")
"""Where a company id came from, in the order the sources are asked; ``none`` means no id."""

TEMPORARY_ID_PREFIX = "IN"
OVERRIDE_FILE_COLUMNS = ("plan_code", "customer_name", "company_id")
CACHE_TABLE = "company_id_cache"
_ID_BYTES = 10
_ID_CHARACTERS = 16
"""Ten HMAC bytes (80 bits) spell sixteen base32 characters, without padding."""


def temporary_company_id(normalised_name: str, key: bytes) -> str | None:
    """Return ``IN`` + 16 base32 characters of HMAC-SHA256(key, name); None for an empty name.

    The same name and key always give the same id; different names practically never collide
    (80 bits).
    """
    if not normalised_name.strip():
        return None
    digest = hmac.digest(key, normalised_name.encode("utf-8"), hashlib.sha256)
    return TEMPORARY_ID_PREFIX + base64.b32encode(digest[:_ID_BYTES]).decode("ascii")


def temporary_company_ids(normalised_names: Iterable[str], key: bytes) -> dict[str, str | None]:
    """Return ``temporary_company_id`` of every name, computed in one batch.

    Ten digest bytes are exactly sixteen base32 characters, so the ids of all names are one
    base32 encoding of their digests, cut every sixteen characters.
    """
    names = list(dict.fromkeys(normalised_names))
    named = [name for name in names if name.strip()]
    digests = b"".join(
        hmac.digest(key, name.encode("utf-8"), hashlib.sha256)[:_ID_BYTES] for name in named
    )
    encoded = base64.b32encode(digests).decode("ascii")
    ids: dict[str, str | None] = dict.fromkeys(names)
    for position, name in enumerate(named):
        start = position * _ID_CHARACTERS
        ids[name] = TEMPORARY_ID_PREFIX + encoded[start : start + _ID_CHARACTERS]
    return ids


@dataclass(frozen=True)
class CompanyIdOverrides:
    """Explicit company ids by plan code and by normalised customer name."""

    by_plan_code: Mapping[str, str] = field(default_factory=dict)
    by_name: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_csv(cls, paths: Iterable[Path]) -> CompanyIdOverrides:
        """Read override files with the columns ``plan_code, customer_name, company_id``.

        A row may give a plan code, a name or both. Names are normalised like the pipeline
        normalises customer names, so operators may write them as the source file does.
        Later files win over earlier ones. A missing file or a wrong header raises
        ``ValueError`` naming the file.
        """
        by_plan_code: dict[str, str] = {}
        by_name: dict[str, str] = {}
        for path in paths:
            rows = _read_override_rows(path)
            ids = blank_to_na(rows["company_id"]).str.strip()
            codes = blank_to_na(rows["plan_code"]).str.strip()
            names = normalise_company_name(rows["customer_name"])
            usable = ids.notna()
            by_plan_code.update(_pairs(codes[usable], ids[usable]))
            by_name.update(_pairs(names[usable], ids[usable]))
        return cls(by_plan_code=by_plan_code, by_name=by_name)


def _read_override_rows(path: Path) -> pd.DataFrame:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(OVERRIDE_FILE_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise ValueError(
                    f"company-id override file {str(path)!r}: missing column(s) "
                    f"{sorted(missing)}; expected {', '.join(OVERRIDE_FILE_COLUMNS)}"
                )
            records = [{name: row[name] for name in OVERRIDE_FILE_COLUMNS} for row in reader]
    except OSError as error:
        raise ValueError(f"company-id override file {str(path)!r}: {error.strerror}") from error
    return pd.DataFrame(records, columns=list(OVERRIDE_FILE_COLUMNS), dtype="str")


def _pairs(keys: pd.Series, values: pd.Series) -> dict[str, str]:
    present = keys.notna()
    return dict(zip(keys[present], values[present], strict=True))


@dataclass(frozen=True)
class CacheHits:
    """Cached ids by normalised name."""

    by_name: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LearnedCompanyId:
    """An id a run found in the data or through the lookup, worth writing back to the cache."""

    normalized_name: str
    company_id: str
    source: str
    plan_code: str | None


class CompanyIdCache(Protocol):
    """The cache the resolver reads once per batch; ``WarehouseCompanyIdCache`` in production."""

    def fetch(self, names: Collection[str]) -> CacheHits:
        """Return the cached ids for these normalised names, in one round trip."""
        ...


class WarehouseCompanyIdCache:
    """``company_id_cache`` in the warehouse (created by the core's first migration)."""

    def __init__(self, engine: Engine, *, schema: str = "public", table: str = CACHE_TABLE) -> None:
        self._engine = engine
        self._table = sa.table(
            table,
            sa.column("normalized_name", sa.Text),
            sa.column("company_id", sa.Text),
            sa.column("source", sa.Text),
            sa.column("plan_code", sa.Text),
            sa.column("updated_at", sa.DateTime(timezone=True)),
            schema=schema,
        )

    def fetch(self, names: Collection[str]) -> CacheHits:
        """Read the cache rows of these normalised names with a single query."""
        if not names:
            return CacheHits()
        table = self._table
        query = sa.select(table.c.normalized_name, table.c.company_id).where(
            table.c.normalized_name == sa.any_(sa.literal(list(names), ARRAY(sa.Text)))
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return CacheHits(by_name={name: company for name, company in rows})

    def store(self, connection: Connection, learned: Sequence[LearnedCompanyId]) -> int:
        """Insert learned ids inside the caller's transaction; existing names are left alone.

        Returns how many rows were new. Operators' entries are never overwritten.
        """
        if not learned:
            return 0
        statement = (
            insert(self._table)
            .values(
                [
                    {
                        "normalized_name": item.normalized_name,
                        "company_id": item.company_id,
                        "source": item.source,
                        "plan_code": item.plan_code,
                    }
                    for item in learned
                ]
            )
            .on_conflict_do_nothing(index_elements=["normalized_name"])
        )
        return connection.execute(statement).rowcount


class CompanyIdResolver:
    """Resolves company ids for a batch of customers; one resolver serves one run.

    ``source_counts`` accumulates, per source in ``ENRICHMENT_SOURCES``, the number of distinct
    entries it answered; ``learned`` holds ids from the data or the lookup for the cache. An
    entry (name, plan code, existing id) answered once is answered again from memory, neither
    counted nor asked for twice: a run that enriches its rows in chunks asks the cache and the
    lookup what one call on all of them would ask.
    """

    def __init__(
        self,
        *,
        hmac_key: bytes,
        overrides: CompanyIdOverrides | None = None,
        cache: CompanyIdCache | None = None,
        lookup: CompanyLookup | None = None,
    ) -> None:
        if not hmac_key:
            raise ValueError("company-id HMAC key must not be empty (setting COMPANY_ID_HMAC_KEY)")
        self._key = hmac_key
        self._overrides = overrides or CompanyIdOverrides()
        self._cache = cache
        self._lookup = lookup
        self._counts: Counter[str] = Counter()
        self._learned: dict[str, LearnedCompanyId] = {}
        self._answered = AnsweredEntries()

    @classmethod
    def from_settings(
        cls,
        engine: Engine | None,
        settings: Settings | None = None,
        *,
        lookup: CompanyLookup | None = None,
        override_files: Sequence[Path] = (),
    ) -> CompanyIdResolver:
        """Return the production resolver: ``override_files`` then ``COMPANY_ID_OVERRIDES_PATH``
        (later files win), the warehouse cache when ``engine`` is given, the optional lookup and
        the key ``COMPANY_ID_HMAC_KEY``.
        """
        active = settings or get_settings()
        files = [*override_files]
        if active.COMPANY_ID_OVERRIDES_PATH is not None:
            files.append(active.COMPANY_ID_OVERRIDES_PATH)
        overrides = CompanyIdOverrides.from_csv(files)
        logger.debug(
            "company_id_resolver_built",
            override_files=[str(path) for path in files],
            overrides_by_plan_code=len(overrides.by_plan_code),
            overrides_by_name=len(overrides.by_name),
            cache=engine is not None,
            lookup=lookup is not None,
        )
        return cls(
            hmac_key=active.COMPANY_ID_HMAC_KEY.get_secret_value().encode("utf-8"),
            overrides=overrides,
            cache=WarehouseCompanyIdCache(engine) if engine is not None else None,
            lookup=lookup,
        )

    @property
    def source_counts(self) -> dict[str, int]:
        """Entries answered per source so far, each distinct entry once; unused sources 0."""
        return {source: self._counts[source] for source in ENRICHMENT_SOURCES}

    @property
    def learned(self) -> list[LearnedCompanyId]:
        """Ids found in the data or through the lookup, one per normalised name."""
        return list(self._learned.values())

    def enrich_many(
        self,
        names: Sequence[str | None],
        plan_codes: Sequence[str | None] | None = None,
        existing_ids: Sequence[str | None] | None = None,
    ) -> list[str | None]:
        """Return one company id (or None) per normalised name, in order.

        ``plan_codes`` (same length) enable overrides by plan code; ``existing_ids`` are ids
        the source file already carries, which win over the cache. The cache is read with one
        query and the lookup asked once, both only for the names still unresolved and not
        answered by an earlier call.
        """
        absent: list[str | None] = [None] * len(names)
        codes = absent if plan_codes is None else plan_codes
        existing = absent if existing_ids is None else existing_ids
        if not len(names) == len(codes) == len(existing):
            raise ValueError("names, plan_codes and existing_ids must have the same length")
        batch = pd.DataFrame(
            {"name": _clean(names), "plan_code": _clean(codes), "existing": _clean(existing)}
        )
        keys = entry_keys([batch["name"], batch["plan_code"], batch["existing"]])
        positions = self._answered.positions(keys)
        fresh = positions < 0
        ids = np.empty(len(batch), dtype=object)
        ids[~fresh] = self._answered.answers(positions[~fresh])
        if fresh.any():
            # Each new entry is resolved and counted once, however often this call repeats it.
            rows = np.flatnonzero(fresh)
            new_keys = keys.take(pa.array(rows))
            distinct = pc.unique(new_keys)
            entry = np.asarray(pc.index_in(new_keys, value_set=distinct).to_numpy(), dtype=np.int64)
            _, first_rows = np.unique(entry, return_index=True)
            answers = self._resolve(batch.iloc[rows[first_rows]].reset_index(drop=True))
            self._answered.add(distinct, answers)
            ids[rows] = np.asarray(answers, dtype=object)[entry]
        found: list[str | None] = ids.tolist()
        return found

    def _resolve(self, batch: pd.DataFrame) -> list[str | None]:
        """Resolve entries not answered before (see ``enrich_many``), counting their sources."""
        resolution = _Resolution(len(batch))
        resolution.offer(batch["plan_code"].map(self._overrides.by_plan_code), "override")
        resolution.offer(batch["name"].map(self._overrides.by_name), "override")
        resolution.offer(batch["existing"], "data")
        if self._cache is not None:
            hits = self._cache.fetch(set(batch.loc[resolution.unresolved, "name"].dropna()))
            resolution.offer(batch["name"].map(hits.by_name), "cache")
        if self._lookup is not None:
            wanted = sorted(set(batch.loc[resolution.unresolved, "name"].dropna().tolist()))
            found = dict(self._lookup.lookup(wanted)) if wanted else {}
            resolution.offer(batch["name"].map(found), "lookup")
        unresolved_names = batch.loc[resolution.unresolved, "name"].dropna().unique()
        temporary = temporary_company_ids(unresolved_names.tolist(), self._key)
        resolution.offer(batch["name"].map(temporary), "temporary")
        self._counts.update(map(str, resolution.sources.tolist()))
        self._remember(batch, resolution)
        present = resolution.ids.notna().tolist()
        return [
            str(value) if known else None
            for value, known in zip(resolution.ids.tolist(), present, strict=True)
        ]

    def _remember(self, batch: pd.DataFrame, resolution: _Resolution) -> None:
        learned = resolution.sources.isin(["data", "lookup"]) & batch["name"].notna()
        for name, code, company, source in zip(
            batch.loc[learned, "name"],
            batch.loc[learned, "plan_code"],
            resolution.ids[learned],
            resolution.sources[learned],
            strict=True,
        ):
            self._learned.setdefault(
                name,
                LearnedCompanyId(name, str(company), str(source), None if pd.isna(code) else code),
            )


class _Resolution:
    """The ids found so far for one batch and the source of each."""

    def __init__(self, size: int) -> None:
        self.ids = pd.Series([None] * size, dtype="object")
        self.sources = pd.Series(["none"] * size, dtype="object")

    @property
    def unresolved(self) -> pd.Series:
        return self.ids.isna()

    def offer(self, candidates: pd.Series, source: str) -> None:
        take = self.ids.isna() & candidates.notna()
        self.ids = self.ids.mask(take, candidates)
        self.sources = self.sources.mask(take, source)


def _clean(values: Sequence[str | None]) -> pd.Series:
    text = pd.Series(list(values), dtype="str").str.strip()
    return text.mask(text.eq(""))
