"""Checks on what a plugin declares: each returns the checked value or raises an error."""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

from work_data_hub.domain.columns import LINEAGE_COLUMNS, Column
from work_data_hub.domain.definition import DomainDefinition, OtherMonths, SourceSpec, WriteMode
from work_data_hub.domain.pipelines.types import TransformStep
from work_data_hub.plugins.errors import PluginContractError, summarize_exception
from work_data_hub.plugins.hookspecs import OLDEST_SPEC_VERSION, SPEC_VERSION

MAX_IDENTIFIER_BYTES = 63
"""PostgreSQL truncates longer identifiers (NAMEDATALEN - 1)."""
NAME_PATTERN = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_IDENTIFIER_BYTES - 1}}}")
"""Domain names and reader names (``source.file_type``): snake_case, a valid identifier."""

WRITE_MODES: tuple[str, ...] = get_args(WriteMode)
OTHER_MONTHS: tuple[str, ...] = get_args(OtherMonths)
KEYED_WRITE_MODES = ("upsert", "delete_insert")
CORE_TABLES = frozenset(
    {"alembic_version", "company_id_cache", "data_quality_metrics", "pipeline_executions"}
    | {"rejected_rows"}
)
"""Tables in ``public`` that the core owns; no domain may load into them."""

_MONTH = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")
"""A partition month, ``YYYYMM``."""
_PACKAGE_LOCATION = re.compile(r"(?P<package>[A-Za-z_][\w.]*):(?P<folder>.+)")


def _require(ok: object, message: str) -> None:
    if not ok:
        raise PluginContractError(message)


def _require_identifier(what: str, value: object) -> None:
    _require(isinstance(value, str) and value, f"{what} {value!r} must be a non-empty string")
    text = str(value)
    _require(
        text == text.strip() and not any(char in text for char in '".\x00'),
        f"{what} {value!r} must not contain quotes, dots, NUL or surrounding spaces",
    )
    _require(
        len(text.encode()) <= MAX_IDENTIFIER_BYTES,
        f"{what} {value!r} is longer than {MAX_IDENTIFIER_BYTES} bytes (PostgreSQL truncates)",
    )


def check_definition(answer: object) -> DomainDefinition:
    """Return ``answer`` when it is a complete, supported ``DomainDefinition``."""
    if not isinstance(answer, DomainDefinition):
        raise PluginContractError(
            f"definition must be a DomainDefinition, got {type(answer).__name__}"
        )
    name, version, source = answer.name, answer.spec_version, answer.source
    _require(
        isinstance(name, str) and NAME_PATTERN.fullmatch(name),
        f"domain name {name!r} is not snake_case (lower-case letters, digits, underscores; "
        f"at most {MAX_IDENTIFIER_BYTES})",
    )
    too_old = isinstance(version, int) and version < OLDEST_SPEC_VERSION
    _require(
        isinstance(version, int) and OLDEST_SPEC_VERSION <= version <= SPEC_VERSION,
        f"domain {name!r} {'uses' if too_old else 'needs'} plugin contract version {version}, "
        f"this core supports {OLDEST_SPEC_VERSION}..{SPEC_VERSION}: "
        f"upgrade {'the plugin' if too_old else 'workdatahub-core'}",
    )
    _require_identifier(f"domain {name!r}: table", answer.table)
    _require_identifier(f"domain {name!r}: db_schema", answer.db_schema)
    _require(
        answer.db_schema != "public" or answer.table not in CORE_TABLES,
        f"domain {name!r}: table {answer.table!r} belongs to the core's audit and migrations; "
        "choose another table name",
    )
    mode = answer.write_mode
    _require(
        mode in WRITE_MODES,
        f"domain {name!r}: write_mode {mode!r} is not one of {', '.join(WRITE_MODES)}",
    )
    _require(
        mode not in KEYED_WRITE_MODES or answer.keys,
        f"domain {name!r}: write_mode {mode!r} needs keys",
    )
    threshold = answer.reject_threshold
    _require(
        isinstance(threshold, int | float) and 0 <= threshold <= 1,
        f"domain {name!r}: reject_threshold {threshold!r} must be between 0 and 1",
    )
    _require(
        isinstance(answer.first_month, str) and _MONTH.fullmatch(answer.first_month),
        f"domain {name!r}: first_month {answer.first_month!r} is not YYYYMM (e.g. 202001)",
    )
    tolerance = answer.row_count_tolerance
    _require(
        isinstance(tolerance, int | float) and tolerance >= 0,
        f"domain {name!r}: row_count_tolerance {tolerance!r} must be a share of 0 or more",
    )
    _require(
        answer.other_months in OTHER_MONTHS,
        f"domain {name!r}: other_months {answer.other_months!r} is not one of "
        f"{', '.join(OTHER_MONTHS)}",
    )
    _require(isinstance(source, SourceSpec), f"domain {name!r}: source must be a SourceSpec")
    _require(
        source.patterns and not isinstance(source.patterns, str),
        f"domain {name!r}: source.patterns must be a non-empty tuple",
    )
    _require(
        isinstance(source.file_type, str) and NAME_PATTERN.fullmatch(source.file_type),
        f"domain {name!r}: source.file_type {source.file_type!r} must name a reader "
        "(lower-case letters, digits, underscores), such as 'excel' or 'csv'",
    )
    return answer


def check_columns(answer: object, definition: DomainDefinition) -> tuple[Column, ...]:
    """Return the declared columns when they are unique ``Column``s that cover the domain's keys;
    the month column is one of them, of kind date."""
    name = definition.name
    if not isinstance(answer, Sequence) or isinstance(answer, str) or not answer:
        raise PluginContractError(f"domain {name!r}: columns must be a sequence of Column")
    columns = tuple(answer)
    by_name: dict[str, Column] = {}
    for column in columns:
        _require(
            isinstance(column, Column),
            f"domain {name!r}: columns holds a {type(column).__name__}, expected Column",
        )
        _require_identifier(f"domain {name!r}: column", column.name)
        _require(
            column.name not in by_name, f"domain {name!r}: column {column.name!r} declared twice"
        )
        _require(
            column.name not in LINEAGE_COLUMNS,
            f"domain {name!r}: column {column.name!r} is reserved for lineage",
        )
        by_name[column.name] = column
    missing_keys = [key for key in definition.keys if key not in by_name]
    _require(
        not missing_keys,
        f"domain {name!r}: keys {missing_keys} are not among the declared columns",
    )
    missing_row_key = [key for key in definition.row_key or () if key not in by_name]
    _require(
        not missing_row_key,
        f"domain {name!r}: row_key {missing_row_key} are not among the declared columns",
    )
    not_amounts = [
        column
        for column in definition.sum_columns
        if column not in by_name or by_name[column].kind not in ("decimal", "integer")
    ]
    _require(
        not not_amounts,
        f"domain {name!r}: sum_columns {not_amounts} are not declared decimal or integer columns",
    )
    month = definition.month_column
    _require(
        month is None or (month in by_name and by_name[month].kind == "date"),
        f"domain {name!r}: month_column {month!r} must be one of the declared date columns",
    )
    date_keys = [key for key in definition.keys if by_name[key].kind == "date"]
    if month is None and definition.write_mode == "delete_insert" and date_keys:
        raise PluginContractError(
            f"domain {name!r}: delete_insert refreshes by the date key {date_keys[0]!r}; declare "
            f"month_column={date_keys[0]!r} so that a run replaces only its own month"
        )
    return columns


def check_migrations(location: object, definition: DomainDefinition) -> None:
    """Pass when ``location`` is an existing folder: ``"package:folder"`` or an absolute path."""
    name = definition.name
    package_form = _PACKAGE_LOCATION.fullmatch(location) if isinstance(location, str) else None
    if package_form:
        try:
            root = importlib.resources.files(package_form["package"])
        except (ImportError, TypeError) as exc:
            raise PluginContractError(
                f"domain {name!r}: migration location {location!r} cannot be resolved: "
                f"{summarize_exception(exc)}"
            ) from exc
        exists = root.joinpath(package_form["folder"]).is_dir()
    else:
        path = Path(location) if isinstance(location, str) else None
        exists = path is not None and path.is_absolute() and path.is_dir()
    _require(
        exists,
        f"domain {name!r}: migration location {location!r} is not an existing folder "
        "(use an absolute path or 'package:folder')",
    )


def check_named(what: Literal["readers", "step_types"], answer: object) -> dict[str, Any]:
    """Return ``answer`` as a dict when it maps non-empty names to readers (snake_case names,
    objects with a callable ``read``) or to step classes."""
    if not isinstance(answer, Mapping):
        raise PluginContractError(f"{what} must be a mapping, got {type(answer).__name__}")
    for name, value in answer.items():
        _require(isinstance(name, str) and name, f"{what}: key {name!r} is not a non-empty string")
        reader = what == "readers"
        _require(
            not reader or NAME_PATTERN.fullmatch(name),
            f"readers: reader name {name!r} must be lower-case letters, digits and underscores",
        )
        ok = callable(getattr(value, "read", None)) if reader else isinstance(value, type)
        expected = "a reader (a read(path, source) method)" if reader else "a class"
        _require(ok, f"{what}: {name!r} maps to a {type(value).__name__}, expected {expected}")
    return dict(answer)


def check_steps(answer: object, definition: DomainDefinition) -> list[TransformStep]:
    """Return the domain's steps when each one has a ``name`` and an ``execute`` method."""
    name = definition.name
    if not isinstance(answer, Sequence) or isinstance(answer, str):
        raise PluginContractError(f"domain {name!r}: steps must be a list of steps")
    steps: list[TransformStep] = list(answer)
    for index, step in enumerate(steps):
        _require(
            isinstance(step, TransformStep),
            f"domain {name!r}: step {index} ({type(step).__name__}) lacks name or "
            "execute(data, context)",
        )
    return steps
