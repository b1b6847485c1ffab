# mypy: disable-error-code="empty-body"
"""The shared hooks, implemented by modules of ``@hookimpl`` functions (the core's internal
plugins included) and asked of every such plugin; a domain itself is a ``Domain`` value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from work_data_hub.domain.readers import Reader
    from work_data_hub.domain.services import CompanyLookup

PROJECT_NAME = "workdatahub"
SPEC_VERSION = 2
"""Version of the plugin contract; a ``DomainDefinition.spec_version`` above it is refused."""

OLDEST_SPEC_VERSION = 2
"""Oldest contract version the core still accepts; a ``spec_version`` below it is refused."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def workdatahub_readers() -> Mapping[str, Reader]:
    """Return readers by new source-type names (``"parquet"``, …) that any domain may name in
    ``source.file_type``; a name already provided (``"excel"``, ``"csv"``) refuses the plugin."""


@hookspec
def workdatahub_step_types() -> Mapping[str, type]:
    """Return step classes by new names, for step lists declared as data by any domain; a name
    already provided refuses the plugin."""


@hookspec(firstresult=True)
def workdatahub_company_lookup() -> CompanyLookup | None:
    """Return an external company-id lookup service, or None; the first non-None answer is used."""
