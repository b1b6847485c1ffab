"""Finding plugins and asking a plugin of shared hooks for its answers through pluggy."""

from __future__ import annotations

import difflib
import importlib.metadata
import sys
from collections.abc import Sequence

import pluggy

from work_data_hub.domain.readers import Reader
from work_data_hub.plugins import hookspecs
from work_data_hub.plugins.contract import check_named
from work_data_hub.plugins.errors import PluginContractError, PluginOrigin, summarize_exception
from work_data_hub.plugins.policy import canonical_name

ENTRY_POINT_GROUP = "workdatahub.domains"
CORE_DISTRIBUTION = "workdatahub-core"

BUILTIN_PLUGINS = ("work_data_hub.plugins.builtin_steps", "work_data_hub.io.readers.builtin")
"""Internal plugins registered before any entry point, by dotted module name."""

_SPEC_1_HOOKS = frozenset(
    f"{hookspecs.PROJECT_NAME}_{name}"
    for name in ("domain", "columns", "steps", "migrations", "sample_data", "company_id_overrides")
)
"""Per-domain hooks of contract version 1, now fields of a ``Domain``."""


def new_hook_manager() -> pluggy.PluginManager:
    """Return an empty pluggy manager for project ``workdatahub`` that knows every hook spec."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def discover_entry_points(
    search_path: Sequence[str] | None = None,
) -> list[importlib.metadata.EntryPoint]:
    """Return the ``workdatahub.domains`` entry points, sorted by distribution and name.

    ``search_path`` limits discovery to these folders (default ``sys.path``); as with
    ``importlib.metadata.entry_points``, the first distribution of a given name wins.
    """
    path = sys.path if search_path is None else list(search_path)
    seen: set[str] = set()
    found: list[importlib.metadata.EntryPoint] = []
    for distribution in importlib.metadata.distributions(path=path):
        name = canonical_name(distribution.metadata["Name"] or "")
        if name not in seen:
            seen.add(name)
            found.extend(distribution.entry_points.select(group=ENTRY_POINT_GROUP))
    return sorted(
        found, key=lambda entry: (canonical_name(origin_of(entry).distribution), entry.name)
    )


def origin_of(entry_point: importlib.metadata.EntryPoint) -> PluginOrigin:
    """Return the distribution name and version that declare ``entry_point``."""
    found = entry_point.dist
    name = found.metadata["Name"] if found is not None else None
    version = found.version if found is not None else None
    return PluginOrigin(name or "unknown", version or "", entry_point.name)


def probe_shared(plugin: object, origin: PluginOrigin) -> tuple[dict[str, Reader], dict[str, type]]:
    """Check a plugin of shared hooks on a manager of its own; return the readers and step types
    it adds. Anything else (no ``@hookimpl`` at all, an unknown hook, a hook that raises or
    answers outside the contract) raises ``PluginContractError`` with one line.
    """
    manager = new_hook_manager()
    try:
        manager.register(plugin)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginContractError(f"cannot register: {summarize_exception(exc)}") from exc
    if not manager.get_hookcallers(plugin):
        raise PluginContractError(
            f"entry point {origin.entry_point!r} names a {type(plugin).__name__}, expected "
            "a work_data_hub.plugins.Domain or a module of shared hooks"
        )
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginContractError(_unknown_hooks_message(manager, plugin, exc)) from exc
    return (
        check_named("readers", _only_answer(manager, "workdatahub_readers")),
        check_named("step_types", _only_answer(manager, "workdatahub_step_types")),
    )


def _only_answer(manager: pluggy.PluginManager, hook_name: str) -> object:
    try:
        answers = getattr(manager.hook, hook_name)()
    except Exception as exc:
        raise PluginContractError(f"{hook_name} raised {summarize_exception(exc)}") from exc
    if len(answers) > 1:
        raise PluginContractError(f"{hook_name} is implemented {len(answers)} times")
    return answers[0] if answers else {}


def _unknown_hooks_message(
    manager: pluggy.PluginManager, plugin: object, exc: pluggy.PluginValidationError
) -> str:
    unknown = sorted(
        caller.name
        for caller in manager.get_hookcallers(plugin) or []
        if not caller.has_spec() and any(not impl.optionalhook for impl in caller.get_hookimpls())
    )
    if not unknown:
        return summarize_exception(exc)
    known = [name for name in vars(hookspecs) if name.startswith(f"{hookspecs.PROJECT_NAME}_")]
    described = []
    for name in unknown:
        guess = difflib.get_close_matches(name, known, n=1)
        if name in _SPEC_1_HOOKS:
            described.append(f"{name!r} (contract 1; declare a work_data_hub.plugins.Domain)")
        else:
            described.append(f"{name!r} (did you mean {guess[0]!r}?)" if guess else repr(name))
    return f"unknown hook {', '.join(described)}"
