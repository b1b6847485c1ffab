"""I/O services a domain's pure transformation receives as arguments (dependency injection)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class EnrichmentProtocol(Protocol):
    """Resolves a company id for customer names; implemented in ``io``, faked in tests."""

    def enrich_many(
        self,
        names: Sequence[str | None],
        plan_codes: Sequence[str | None] | None = None,
        existing_ids: Sequence[str | None] | None = None,
    ) -> list[str | None]:
        """Return one company id (or None) per name, in order.

        ``plan_codes`` refine overrides; ``existing_ids`` are ids the source data already
        carries (same length as ``names``, None where absent).
        """
        ...


class CompanyLookup(Protocol):
    """An external company-id service behind the ``workdatahub_company_lookup`` hook."""

    def lookup(self, names: Sequence[str]) -> Mapping[str, str]:
        """Return ids for the names it knows; unknown names are simply absent."""
        ...


@dataclass(frozen=True)
class DomainServices:
    """The services handed to a domain's steps function; every field may be absent in tests."""

    enrichment: EnrichmentProtocol | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
