"""Columns of the source file the domain does not know: the first sign of a changed template."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from work_data_hub.cleansing.text import normalise_header
from work_data_hub.domain.columns import LINEAGE_COLUMNS
from work_data_hub.plugins.registry import RegisteredDomain

MAX_DEPTH = 4
"""How deep a step's attributes are searched for column names (mappings of tuples, …)."""


def _names(value: Any, depth: int = 0) -> Iterator[str]:
    """Every string a step holds in its attributes, mapping keys included."""
    if isinstance(value, str):
        yield value
    elif depth >= MAX_DEPTH:
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _names(key, depth + 1)
            yield from _names(item, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _names(item, depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _names(getattr(value, field.name), depth + 1)


def new_source_columns(
    source_columns: Iterable[object], domain: RegisteredDomain, steps: Iterable[object]
) -> list[str]:
    """Return, in file order, the source columns the domain neither declares nor reads.

    A column is known when it is declared, a lineage column, a header alias (either side) or
    named by one of the run's steps (a rename, a copy, a mapping's source); headers compare
    whatever their width, spacing or case, as ``rename`` matches them.
    """
    aliases = domain.definition.source.header_aliases
    known = {
        normalise_header(name)
        for name in (
            *(column.name for column in domain.columns),
            *LINEAGE_COLUMNS,
            *aliases,
            *aliases.values(),
            *_names(list(steps)),
        )
    }
    return [
        str(column)
        for column in source_columns
        if isinstance(column, str) and normalise_header(column) not in known
    ]
