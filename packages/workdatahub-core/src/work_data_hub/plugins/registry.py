"""The domain registry: every admitted domain, every broken plugin, the shared hooks' answers."""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import pluggy

from work_data_hub import __version__ as core_version
from work_data_hub.domain.columns import Column
from work_data_hub.domain.pipelines.types import TransformStep
from work_data_hub.domain.services import CompanyLookup, DomainServices
from work_data_hub.plugins.contract import check_steps
from work_data_hub.plugins.definition import DomainDefinition, MigrationSource
from work_data_hub.plugins.errors import (
    BrokenPlugin,
    PluginContractError,
    PluginLoadError,
    UnknownDomainError,
    summarize_exception,
)
from work_data_hub.plugins.manager import (
    BUILTIN_PLUGINS,
    CORE_DISTRIBUTION,
    DOMAIN_HOOKS,
    PluginOrigin,
    SharedAnswers,
    admit_domain,
    admit_internal,
    discover_entry_points,
    new_hook_manager,
    origin_of,
    own_hook_results,
)
from work_data_hub.plugins.policy import PluginPolicy
from work_data_hub.plugins.readers import Reader
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class RegisteredDomain:
    """An installed domain that passed every check, with where it came from."""

    definition: DomainDefinition
    columns: tuple[Column, ...]
    migrations: MigrationSource | None
    distribution: str
    version: str
    entry_point: str
    plugin: object
    hook_manager: pluggy.PluginManager | None = field(default=None, repr=False, compare=False)
    step_types: Mapping[str, type] = field(default_factory=dict, repr=False, compare=False)
    """Every installed plugin's step classes by name (the registry's own, kept current)."""

    @property
    def name(self) -> str:
        """Return the domain name."""
        return self.definition.name

    @property
    def qualified_table(self) -> str:
        """Return the target table as ``schema.table``."""
        return f"{self.definition.db_schema}.{self.definition.table}"

    def steps(self, services: DomainServices) -> list[TransformStep]:
        """Return the domain's ordered steps, built with ``services`` ([] without the hook).

        Raises ``PluginContractError`` when the plugin answers something that is not a list of
        steps; an exception raised by the plugin itself propagates with a note naming it.
        """
        if not services.step_types and self.step_types:
            services = replace(services, step_types=self.step_types)
        answer = self.hook_answer("workdatahub_steps", services=services)
        return [] if answer is None else check_steps(answer, self.definition)

    def company_id_overrides(self) -> list[Path]:
        """Return this domain's own company-id override files; other domains' never apply."""
        answer = self.hook_answer("workdatahub_company_id_overrides")
        return [Path(path) for path in answer or ()]

    def hook_answer(self, hook_name: str, **kwargs: Any) -> Any:
        """Return this domain's own answer to the per-domain hook ``hook_name``, None without one.

        Only this domain's plugin is asked. An exception it raises propagates with a note naming
        the domain and its distribution; a hook that is not per-domain raises ``ValueError``.
        """
        if hook_name not in DOMAIN_HOOKS:
            raise ValueError(f"{hook_name!r} is not a per-domain hook: {', '.join(DOMAIN_HOOKS)}")
        manager = self.hook_manager or _single_plugin_manager(self.plugin)
        try:
            answers = own_hook_results(manager, self.plugin, hook_name, **kwargs)
        except Exception as exc:
            origin = f"{self.distribution} {self.version}".strip()
            exc.add_note(f"raised by {hook_name} of domain {self.name!r} ({origin})")
            raise
        return answers[0] if answers else None


def _single_plugin_manager(plugin: object) -> pluggy.PluginManager:
    manager = new_hook_manager()
    manager.register(plugin)
    return manager


class DomainRegistry:
    """Admits plugins one at a time and answers what the rest of the platform asks of them.

    A failing plugin becomes a ``BrokenPlugin`` (logged, skipped) or, with ``policy.strict``,
    a ``PluginLoadError``. Shared hooks are answered by plugins in registration order, later
    answers overriding earlier ones.
    """

    def __init__(self, policy: PluginPolicy | None = None) -> None:
        self.policy = policy or PluginPolicy()
        self.hook_manager = new_hook_manager()
        self._domains: dict[str, RegisteredDomain] = {}
        self._broken: list[BrokenPlugin] = []
        self._readers: dict[str, Reader] = {}
        self._step_types: dict[str, type] = {}
        self._providers: dict[tuple[str, str], str] = {}

    @property
    def domains(self) -> dict[str, RegisteredDomain]:
        """Return the admitted domains by name, sorted by name."""
        return dict(sorted(self._domains.items()))

    @property
    def broken(self) -> list[BrokenPlugin]:
        """Return the plugins that were skipped because they failed, in discovery order."""
        return list(self._broken)

    def get(self, name: str) -> RegisteredDomain:
        """Return the domain called ``name``; raise ``UnknownDomainError`` listing what exists."""
        if name in self._domains:
            return self._domains[name]
        known = ", ".join(sorted(self._domains)) or "none installed"
        message = f"unknown domain {name!r}; known domains: {known}"
        failed = [broken for broken in self._broken if broken.entry_point == name]
        if failed:
            message += f"; {failed[0].describe()}"
        raise UnknownDomainError(message)

    def readers(self) -> dict[str, Reader]:
        """Return the readers by source type (``"excel"``, ``"csv"``, …)."""
        return dict(self._readers)

    def step_types(self) -> dict[str, type]:
        """Return the generic step classes by name."""
        return dict(self._step_types)

    def company_lookup(self) -> CompanyLookup | None:
        """Return the first company-id lookup service a plugin offers, or None."""
        return cast("CompanyLookup | None", self.hook_manager.hook.workdatahub_company_lookup())

    def register(
        self, plugin: object, *, distribution: str, version: str = "", entry_point: str = ""
    ) -> RegisteredDomain | None:
        """Admit a domain plugin (a module or any object with hook implementations).

        Return the registered domain, or None when it was skipped: blocked or not allowed by
        name, or broken (recorded in ``broken``; raised as ``PluginLoadError`` in strict mode).
        """
        origin = PluginOrigin(distribution, version, entry_point or _label(plugin))
        try:
            admitted = admit_domain(self.hook_manager, plugin, origin)
        except Exception as exc:
            self._fail(origin, _reason(exc))
            return None
        definition = admitted.definition
        if not self.policy.is_allowed(origin.distribution, origin.entry_point, definition.name):
            self.hook_manager.unregister(plugin)
            _log_skipped(origin, definition.name)
            return None
        conflict = self._conflict(definition, origin) or self._shared_conflict(
            admitted.shared, origin
        )
        if conflict:
            self.hook_manager.unregister(plugin)
            self._fail(origin, conflict)
            return None
        domain = RegisteredDomain(
            definition=definition,
            columns=admitted.columns,
            migrations=admitted.migrations,
            distribution=origin.distribution,
            version=origin.version,
            entry_point=origin.entry_point,
            plugin=plugin,
            hook_manager=self.hook_manager,
            step_types=self._step_types,
        )
        self._domains[definition.name] = domain
        self._merge(admitted.shared, origin)
        return domain

    def register_internal(self, plugin: object, *, name: str) -> bool:
        """Admit an internal plugin of the core (shared hooks only); return whether it was."""
        origin = PluginOrigin(CORE_DISTRIBUTION, core_version, name)
        try:
            shared = admit_internal(self.hook_manager, plugin, origin)
        except Exception as exc:
            self._fail(origin, _reason(exc))
            return False
        conflict = self._shared_conflict(shared, origin)
        if conflict:
            self.hook_manager.unregister(plugin)
            self._fail(origin, conflict)
            return False
        self._merge(shared, origin)
        return True

    def verify_domains(self) -> None:
        """Set aside every domain whose source names no installed reader or whose declared step
        list cannot be built from the installed step types (a ``BrokenPlugin`` naming the domain,
        the step's position and what is wrong; ``PluginLoadError`` in strict mode).

        Run once every plugin is in: a domain may use a reader or step type another plugin adds.
        """
        for name, domain in list(self._domains.items()):
            problem = self._domain_problem(domain)
            if problem is None:
                continue
            del self._domains[name]
            self.hook_manager.unregister(domain.plugin)
            origin = PluginOrigin(domain.distribution, domain.version, domain.entry_point)
            self._fail(origin, f"domain {name!r}: {problem}")

    def _domain_problem(self, domain: RegisteredDomain) -> str | None:
        file_type = domain.definition.source.file_type
        if file_type not in self._readers:
            return (
                f"source.file_type {file_type!r} has no reader; installed readers: "
                f"{', '.join(sorted(self._readers)) or 'none'}"
            )
        declared_steps = getattr(domain.plugin, "declared_steps", None)
        if callable(declared_steps):
            try:
                declared_steps(self._step_types)
            except ValueError as error:
                return str(error)
        return None

    def load_builtin(self, module_name: str) -> bool:
        """Import the core module ``module_name`` and admit it as an internal plugin."""
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            origin = PluginOrigin(CORE_DISTRIBUTION, core_version, module_name)
            self._fail(origin, f"import failed: {summarize_exception(exc)}")
            return False
        return self.register_internal(module, name=module_name)

    def load_entry_point(
        self, entry_point: importlib.metadata.EntryPoint
    ) -> RegisteredDomain | None:
        """Import one ``workdatahub.domains`` entry point and admit it (see ``register``).

        The allow and block lists are checked against the distribution and entry-point names
        before anything is imported.
        """
        origin = origin_of(entry_point)
        if not self.policy.is_allowed(origin.distribution, origin.entry_point):
            _log_skipped(origin, "")
            return None
        try:
            plugin = entry_point.load()
        except Exception as exc:
            self._fail(origin, f"import failed: {summarize_exception(exc)}")
            return None
        return self.register(
            plugin,
            distribution=origin.distribution,
            version=origin.version,
            entry_point=origin.entry_point,
        )

    def _conflict(self, definition: DomainDefinition, origin: PluginOrigin) -> str | None:
        claimant = f"distribution {origin.distribution!r}"
        same_name = self._domains.get(definition.name)
        if same_name is not None:
            return (
                f"domain {definition.name!r} is already provided by distribution "
                f"{same_name.distribution!r}; {claimant} claims it too"
            )
        table = f"{definition.db_schema}.{definition.table}"
        for other in self._domains.values():
            if other.qualified_table == table:
                return (
                    f"table {table!r} is already the target of domain {other.name!r} from "
                    f"distribution {other.distribution!r}; {claimant} (domain "
                    f"{definition.name!r}) claims it too"
                )
        return None

    def _shared_conflict(self, shared: SharedAnswers, origin: PluginOrigin) -> str | None:
        """A reader or step type under a name another plugin already provides is refused."""
        for kind, names in (("reader", shared.readers), ("step type", shared.step_types)):
            for name in sorted(names):
                provider = self._providers.get((kind, name))
                if provider is not None:
                    return (
                        f"{kind} {name!r} is already provided by {provider}; "
                        f"distribution {origin.distribution!r} must add it under a new name"
                    )
        return None

    def _merge(self, shared: SharedAnswers, origin: PluginOrigin) -> None:
        provider = f"distribution {origin.distribution!r}"
        self._providers.update({("reader", name): provider for name in shared.readers})
        self._providers.update({("step type", name): provider for name in shared.step_types})
        self._readers.update(shared.readers)
        self._step_types.update(shared.step_types)

    def _fail(self, origin: PluginOrigin, error: str) -> None:
        broken = BrokenPlugin(origin.distribution, origin.version, origin.entry_point, error)
        if self.policy.strict:
            raise PluginLoadError(broken.describe(), broken)
        logger.warning(
            "plugin_skipped",
            distribution=broken.distribution,
            version=broken.version,
            entry_point=broken.entry_point,
            error=broken.error,
        )
        self._broken.append(broken)


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, PluginContractError) else summarize_exception(exc)


def _label(plugin: object) -> str:
    return str(getattr(plugin, "__name__", type(plugin).__name__))


def _log_skipped(origin: PluginOrigin, domain: str) -> None:
    logger.info(
        "plugin_not_allowed",
        distribution=origin.distribution,
        entry_point=origin.entry_point,
        domain=domain,
    )


def load_domains(
    env: Mapping[str, str] = os.environ,
    *,
    search_path: Sequence[str] | None = None,
    builtins: Sequence[str] = BUILTIN_PLUGINS,
) -> DomainRegistry:
    """Load the internal plugins, then every ``workdatahub.domains`` entry point, one at a time.

    ``env`` supplies ``WDH_STRICT_PLUGINS``, ``WDH_PLUGINS_ALLOW`` and ``WDH_PLUGINS_BLOCK``;
    ``search_path`` limits discovery to these folders (default ``sys.path``). Raises
    ``PluginLoadError`` in strict mode on the first failure, or on a malformed setting.
    """
    registry = DomainRegistry(PluginPolicy.from_env(env))
    for module_name in builtins:
        registry.load_builtin(module_name)
    for entry_point in discover_entry_points(search_path):
        registry.load_entry_point(entry_point)
    registry.verify_domains()
    logger.info("plugins_loaded", domains=len(registry.domains), broken=len(registry.broken))
    return registry


@functools.cache
def get_registry() -> DomainRegistry:
    """Return the process-wide registry, loaded from ``os.environ`` on first use."""
    return load_domains()


def reset_registry() -> None:
    """Forget the process-wide registry, so the next ``get_registry()`` loads plugins again."""
    get_registry.cache_clear()
