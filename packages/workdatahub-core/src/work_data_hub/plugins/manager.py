"""The pluggy manager: finds plugins, registers them one at a time and checks their answers."""

from __future__ import annotations

import difflib
import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pluggy

from work_data_hub.domain.columns import Column
from work_data_hub.plugins import hookspecs
from work_data_hub.plugins.contract import (
    check_columns,
    check_definition,
    check_migrations,
    check_readers,
    check_step_types,
)
from work_data_hub.plugins.definition import DomainDefinition, MigrationSource
from work_data_hub.plugins.errors import PluginContractError, summarize_exception
from work_data_hub.plugins.policy import canonical_name
from work_data_hub.plugins.readers import Reader

ENTRY_POINT_GROUP = "workdatahub.domains"
CORE_DISTRIBUTION = "workdatahub-core"

BUILTIN_PLUGINS = ("work_data_hub.plugins.builtin_steps", "work_data_hub.io.readers.builtin")
"""Internal plugins registered before any entry point, by dotted module name."""

DOMAIN_HOOKS = (
    "workdatahub_domain",
    "workdatahub_columns",
    "workdatahub_steps",
    "workdatahub_migrations",
    "workdatahub_sample_data",
    "workdatahub_company_id_overrides",
)
"""Hooks asked of one plugin alone: a plugin never answers for another domain."""


@dataclass(frozen=True)
class PluginOrigin:
    """Where a plugin came from: its distribution, version and entry point (or module name)."""

    distribution: str
    version: str = ""
    entry_point: str = ""

    @property
    def plugin_name(self) -> str:
        """Return the name the plugin is registered under in the pluggy manager."""
        return f"{self.distribution}:{self.entry_point}"


@dataclass(frozen=True)
class SharedAnswers:
    """What one plugin answered to the shared hooks: readers and step classes by name."""

    readers: dict[str, Reader] = field(default_factory=dict)
    step_types: dict[str, type] = field(default_factory=dict)


@dataclass(frozen=True)
class AdmittedDomain:
    """A registered domain plugin whose answers passed the contract checks."""

    definition: DomainDefinition
    columns: tuple[Column, ...]
    migrations: MigrationSource | None
    shared: SharedAnswers


def new_hook_manager() -> pluggy.PluginManager:
    """Return an empty pluggy manager for project ``workdatahub`` that knows every hook spec."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def own_hook_results(
    manager: pluggy.PluginManager, plugin: object, hook_name: str, **kwargs: Any
) -> list[Any]:
    """Call ``hook_name`` (not a ``firstresult`` hook) on ``plugin`` alone; return its answers."""
    others = [other for other in manager.get_plugins() if other is not plugin]
    return list(manager.subset_hook_caller(hook_name, others)(**kwargs))


def implements(manager: pluggy.PluginManager, plugin: object, hook_name: str) -> bool:
    """Return True when ``plugin`` has an implementation of ``hook_name``."""
    caller = getattr(manager.hook, hook_name)
    return any(impl.plugin is plugin for impl in caller.get_hookimpls())


def discover_entry_points(
    search_path: Sequence[str] | None = None,
) -> list[importlib.metadata.EntryPoint]:
    """Return the ``workdatahub.domains`` entry points, sorted by distribution and name.

    ``search_path`` limits discovery to these folders (default ``sys.path``); as with
    ``importlib.metadata.entry_points``, the first distribution of a given name wins.
    """
    distributions = (
        importlib.metadata.distributions(path=list(search_path))
        if search_path is not None
        else importlib.metadata.distributions()
    )
    seen: set[str] = set()
    found: list[importlib.metadata.EntryPoint] = []
    for distribution in distributions:
        name = _distribution_name(distribution)
        if name in seen:
            continue
        seen.add(name)
        found.extend(distribution.entry_points.select(group=ENTRY_POINT_GROUP))
    return sorted(
        found, key=lambda entry: (canonical_name(origin_of(entry).distribution), entry.name)
    )


def _distribution_name(distribution: importlib.metadata.Distribution) -> str:
    name: str | None = distribution.metadata["Name"]
    return canonical_name(name or "")


def origin_of(entry_point: importlib.metadata.EntryPoint) -> PluginOrigin:
    """Return the distribution name and version that declare ``entry_point``."""
    distribution = entry_point.dist
    if distribution is None:
        return PluginOrigin(distribution="unknown", entry_point=entry_point.name)
    return PluginOrigin(
        distribution=distribution.metadata["Name"] or "unknown",
        version=distribution.version or "",
        entry_point=entry_point.name,
    )


def admit_domain(
    manager: pluggy.PluginManager, plugin: object, origin: PluginOrigin
) -> AdmittedDomain:
    """Register a domain plugin and check its answers; on any failure unregister it and raise.

    It must answer ``workdatahub_domain`` and ``workdatahub_columns``; ``workdatahub_migrations``
    is optional. A broken contract raises ``PluginContractError`` with a one-line reason.
    """
    _register(manager, plugin, origin)
    try:
        shared = _shared_answers(manager, plugin)
        definition = check_definition(_required_answer(manager, plugin, "workdatahub_domain"))
        columns = check_columns(
            _required_answer(manager, plugin, "workdatahub_columns"), definition
        )
        migrations = None
        if implements(manager, plugin, "workdatahub_migrations"):
            answer = _answer(manager, plugin, "workdatahub_migrations")
            migrations = check_migrations(answer, definition)
    except BaseException:
        manager.unregister(plugin)
        raise
    return AdmittedDomain(definition, columns, migrations, shared)


def admit_internal(
    manager: pluggy.PluginManager, plugin: object, origin: PluginOrigin
) -> SharedAnswers:
    """Register an internal plugin (shared hooks only) and check it, as ``admit_domain`` does."""
    _register(manager, plugin, origin)
    try:
        claimed = [name for name in DOMAIN_HOOKS if implements(manager, plugin, name)]
        if claimed:
            raise PluginContractError(
                f"internal plugins implement shared hooks only, found {', '.join(claimed)}"
            )
        return _shared_answers(manager, plugin)
    except BaseException:
        manager.unregister(plugin)
        raise


def _register(manager: pluggy.PluginManager, plugin: object, origin: PluginOrigin) -> None:
    try:
        manager.register(plugin, name=origin.plugin_name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginContractError(f"cannot register: {summarize_exception(exc)}") from exc
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        message = _unknown_hooks_message(manager, plugin, exc)
        manager.unregister(plugin)
        raise PluginContractError(message) from exc


def _shared_answers(manager: pluggy.PluginManager, plugin: object) -> SharedAnswers:
    return SharedAnswers(
        readers=check_readers(_answer(manager, plugin, "workdatahub_readers", {})),
        step_types=check_step_types(_answer(manager, plugin, "workdatahub_step_types", {})),
    )


def _answer(
    manager: pluggy.PluginManager, plugin: object, hook_name: str, default: object = None
) -> object:
    try:
        answers = own_hook_results(manager, plugin, hook_name)
    except Exception as exc:
        raise PluginContractError(f"{hook_name} raised {summarize_exception(exc)}") from exc
    if len(answers) > 1:
        raise PluginContractError(f"{hook_name} is implemented {len(answers)} times")
    return answers[0] if answers else default


def _required_answer(manager: pluggy.PluginManager, plugin: object, hook_name: str) -> object:
    if not implements(manager, plugin, hook_name):
        raise PluginContractError(f"does not implement {hook_name}")
    return _answer(manager, plugin, hook_name)


def _unknown_hooks_message(
    manager: pluggy.PluginManager, plugin: object, exc: pluggy.PluginValidationError
) -> str:
    unknown = sorted(
        caller.name
        for caller in manager.get_hookcallers(plugin) or []
        if not caller.has_spec()
        and any(impl.plugin is plugin and not impl.optionalhook for impl in caller.get_hookimpls())
    )
    if not unknown:
        return summarize_exception(exc)
    known = [name for name in vars(hookspecs) if name.startswith(f"{hookspecs.PROJECT_NAME}_")]
    described = []
    for name in unknown:
        guess = difflib.get_close_matches(name, known, n=1)
        described.append(f"{name!r} (did you mean {guess[0]!r}?)" if guess else repr(name))
    return f"unknown hook {', '.join(described)}"
