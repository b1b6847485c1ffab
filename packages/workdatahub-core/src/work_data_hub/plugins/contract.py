"""Checks on what a plugin's hooks answer: each returns the checked value or raises an error."""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args

from work_data_hub.domain.columns import LINEAGE_COLUMNS, Column
from work_data_hub.domain.pipelines.types import TransformStep
from work_data_hub.plugins.definition import (
    DomainDefinition,
    MigrationSource,
    OtherMonths,
    SourceSpec,
    WriteMode,
)
from work_data_hub.plugins.errors import PluginContractError, summarize_exception
from work_data_hub.plugins.hookspecs import OLDEST_SPEC_VERSION, SPEC_VERSION
from work_data_hub.plugins.readers import Reader

DOMAIN_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
READER_NAME_PATTERN = DOMAIN_NAME_PATTERN
"""Reader names (``source.file_type``) follow the domain-name rule."""
MAX_IDENTIFIER_BYTES = 63
"""PostgreSQL truncates longer identifiers (NAMEDATALEN - 1)."""

WRITE_MODES: tuple[str, ...] = get_args(WriteMode)
OTHER_MONTHS: tuple[str, ...] = get_args(OtherMonths)
KEYED_WRITE_MODES = ("upsert", "delete_insert")

_PACKAGE_LOCATION = re.compile(r"(?P<package>[A-Za-z_][\w.]*):(?P<folder>.+)")


CORE_TABLES = frozenset(
    {
        "alembic_version",
        "company_id_cache",
        "data_quality_metrics",
        "pipeline_executions",
        "rejected_rows",
    }
)
"""Tables in ``public`` that the core owns; no domain may load into them."""


def _identifier_problem(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if value != value.strip() or any(char in value for char in '".\x00'):
        return "must not contain quotes, dots, NUL or surrounding spaces"
    if len(value.encode()) > MAX_IDENTIFIER_BYTES:
        return f"is longer than {MAX_IDENTIFIER_BYTES} bytes, PostgreSQL would truncate it"
    return None


def _require_identifier(what: str, value: object) -> None:
    problem = _identifier_problem(value)
    if problem:
        raise PluginContractError(f"{what} {value!r} {problem}")


def check_definition(answer: object) -> DomainDefinition:
    """Return ``answer`` when it is a complete, supported ``DomainDefinition``."""
    if not isinstance(answer, DomainDefinition):
        raise PluginContractError(
            f"workdatahub_domain must return a DomainDefinition, got {type(answer).__name__}"
        )
    name = answer.name
    if not isinstance(name, str) or not DOMAIN_NAME_PATTERN.fullmatch(name):
        raise PluginContractError(
            f"domain name {name!r} is not snake_case (lower-case letters, digits, underscores)"
        )
    if len(name) > MAX_IDENTIFIER_BYTES:
        raise PluginContractError(f"domain name {name!r} is longer than {MAX_IDENTIFIER_BYTES}")
    version = answer.spec_version
    if not isinstance(version, int) or version > SPEC_VERSION:
        raise PluginContractError(
            f"domain {name!r} needs hook spec version {version}, this core supports "
            f"{OLDEST_SPEC_VERSION}..{SPEC_VERSION}: upgrade workdatahub-core"
        )
    if version < OLDEST_SPEC_VERSION:
        raise PluginContractError(
            f"domain {name!r} uses hook spec version {version}, this core supports "
            f"{OLDEST_SPEC_VERSION}..{SPEC_VERSION}: upgrade the plugin"
        )
    _require_identifier(f"domain {name!r}: table", answer.table)
    _require_identifier(f"domain {name!r}: db_schema", answer.db_schema)
    if answer.db_schema == "public" and answer.table in CORE_TABLES:
        raise PluginContractError(
            f"domain {name!r}: table {answer.table!r} belongs to the core's audit and "
            "migrations; choose another table name"
        )
    if answer.write_mode not in WRITE_MODES:
        raise PluginContractError(
            f"domain {name!r}: write_mode {answer.write_mode!r} is not one of "
            f"{', '.join(WRITE_MODES)}"
        )
    if answer.write_mode in KEYED_WRITE_MODES and not answer.keys:
        raise PluginContractError(f"domain {name!r}: write_mode {answer.write_mode!r} needs keys")
    threshold = answer.reject_threshold
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise PluginContractError(
            f"domain {name!r}: reject_threshold {threshold!r} must be between 0 and 1"
        )
    _check_orchestration(name, answer)
    if answer.other_months not in OTHER_MONTHS:
        raise PluginContractError(
            f"domain {name!r}: other_months {answer.other_months!r} is not one of "
            f"{', '.join(OTHER_MONTHS)}"
        )
    _check_source(name, answer.source)
    return answer


_MONTH = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")


def _check_orchestration(name: str, answer: DomainDefinition) -> None:
    """The first partition month is ``YYYYMM``; the row-count tolerance is a share >= 0."""
    if not isinstance(answer.first_month, str) or not _MONTH.fullmatch(answer.first_month):
        raise PluginContractError(
            f"domain {name!r}: first_month {answer.first_month!r} is not YYYYMM (e.g. 202001)"
        )
    tolerance = answer.row_count_tolerance
    if not isinstance(tolerance, int | float) or tolerance < 0:
        raise PluginContractError(
            f"domain {name!r}: row_count_tolerance {tolerance!r} must be a share of 0 or more"
        )


def _check_source(name: str, source: object) -> None:
    if not isinstance(source, SourceSpec):
        raise PluginContractError(f"domain {name!r}: source must be a SourceSpec")
    if not source.patterns or isinstance(source.patterns, str):
        raise PluginContractError(f"domain {name!r}: source.patterns must be a non-empty tuple")
    if not isinstance(source.file_type, str) or not READER_NAME_PATTERN.fullmatch(source.file_type):
        raise PluginContractError(
            f"domain {name!r}: source.file_type {source.file_type!r} must name a reader "
            "(lower-case letters, digits, underscores), such as 'excel' or 'csv'"
        )


def check_columns(answer: object, definition: DomainDefinition) -> tuple[Column, ...]:
    """Return the declared columns when they are unique ``Column``s that cover the domain's keys."""
    name = definition.name
    if not isinstance(answer, Sequence) or isinstance(answer, str) or not answer:
        raise PluginContractError(f"domain {name!r}: workdatahub_columns must return Columns")
    columns = tuple(answer)
    seen: set[str] = set()
    for column in columns:
        if not isinstance(column, Column):
            raise PluginContractError(
                f"domain {name!r}: workdatahub_columns returned a {type(column).__name__}, "
                "expected Column"
            )
        _require_identifier(f"domain {name!r}: column", column.name)
        if column.name in seen:
            raise PluginContractError(f"domain {name!r}: column {column.name!r} declared twice")
        if column.name in LINEAGE_COLUMNS:
            raise PluginContractError(
                f"domain {name!r}: column {column.name!r} is reserved for lineage"
            )
        seen.add(column.name)
    missing_keys = [key for key in definition.keys if key not in seen]
    if missing_keys:
        raise PluginContractError(
            f"domain {name!r}: keys {missing_keys} are not among the declared columns"
        )
    _check_month_column(definition, {column.name: column for column in columns})
    return columns


def _check_month_column(definition: DomainDefinition, columns: Mapping[str, Column]) -> None:
    """The month column is a declared date column; a refresh by a date key declares one."""
    name, month = definition.name, definition.month_column
    if month is not None:
        column = columns.get(month)
        if column is None or column.kind != "date":
            raise PluginContractError(
                f"domain {name!r}: month_column {month!r} must be one of the declared date columns"
            )
        return
    date_keys = [key for key in definition.keys if columns[key].kind == "date"]
    if definition.write_mode == "delete_insert" and date_keys:
        raise PluginContractError(
            f"domain {name!r}: delete_insert refreshes by the date key {date_keys[0]!r}; declare "
            f"month_column={date_keys[0]!r} so that a run replaces only its own month"
        )


def check_migrations(answer: object, definition: DomainDefinition) -> MigrationSource:
    """Return the migration source whose label is the domain name and whose folder exists.

    The location is ``"package:folder"`` or an absolute path.
    """
    name = definition.name
    if not isinstance(answer, MigrationSource):
        raise PluginContractError(
            f"domain {name!r}: workdatahub_migrations must return a MigrationSource, "
            f"got {type(answer).__name__}"
        )
    if answer.branch_label != name:
        raise PluginContractError(
            f"domain {name!r}: migration branch_label {answer.branch_label!r} must be {name!r}"
        )
    if not _is_existing_folder(name, answer.location):
        raise PluginContractError(
            f"domain {name!r}: migration location {answer.location!r} is not an existing folder "
            "(use an absolute path or 'package:folder')"
        )
    return answer


def _is_existing_folder(name: str, location: str) -> bool:
    package_form = _PACKAGE_LOCATION.fullmatch(location)
    if package_form:
        try:
            root = importlib.resources.files(package_form["package"])
        except (ImportError, TypeError) as exc:
            raise PluginContractError(
                f"domain {name!r}: migration location {location!r} cannot be resolved: "
                f"{summarize_exception(exc)}"
            ) from exc
        return root.joinpath(package_form["folder"]).is_dir()
    path = Path(location)
    return path.is_absolute() and path.is_dir()


def check_readers(answer: object) -> dict[str, Reader]:
    """Return the readers by source type when every name is valid and every value has a
    callable ``read``."""
    mapping = _named_mapping("workdatahub_readers", answer)
    for file_type, reader in mapping.items():
        if not READER_NAME_PATTERN.fullmatch(file_type):
            raise PluginContractError(
                f"workdatahub_readers: reader name {file_type!r} must be lower-case letters, "
                "digits and underscores"
            )
        if not callable(getattr(reader, "read", None)):
            raise PluginContractError(
                f"workdatahub_readers: reader for {file_type!r} has no read(path, source) method"
            )
    return mapping


def check_step_types(answer: object) -> dict[str, type]:
    """Return the step classes by name when every value is a class."""
    mapping = _named_mapping("workdatahub_step_types", answer)
    for step_name, step_type in mapping.items():
        if not isinstance(step_type, type):
            raise PluginContractError(
                f"workdatahub_step_types: {step_name!r} maps to a {type(step_type).__name__}, "
                "expected a class"
            )
    return mapping


def _named_mapping(hook_name: str, answer: object) -> dict[str, Any]:
    if not isinstance(answer, Mapping):
        raise PluginContractError(f"{hook_name} must return a mapping, got {type(answer).__name__}")
    for key in answer:
        if not isinstance(key, str) or not key:
            raise PluginContractError(f"{hook_name}: key {key!r} is not a non-empty string")
    return dict(answer)


def check_steps(answer: object, definition: DomainDefinition) -> list[TransformStep]:
    """Return the domain's steps when each one has a ``name`` and an ``execute`` method."""
    if not isinstance(answer, Sequence) or isinstance(answer, str):
        raise PluginContractError(
            f"domain {definition.name!r}: workdatahub_steps must return a list of steps"
        )
    steps = list(answer)
    for index, step in enumerate(steps):
        if not isinstance(step, TransformStep):
            raise PluginContractError(
                f"domain {definition.name!r}: step {index} ({type(step).__name__}) lacks "
                "name or execute(data, context)"
            )
    return steps
