"""The domain registry: every admitted domain, every broken plugin, the shared hooks' answers."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import cast

import pandas as pd

from work_data_hub import __version__ as core_version
from work_data_hub.domain.columns import Column
from work_data_hub.domain.declared_sample import declared_sample
from work_data_hub.domain.definition import DomainDefinition, MigrationSource
from work_data_hub.domain.pipelines.types import TransformStep
from work_data_hub.domain.readers import Reader
from work_data_hub.domain.services import CompanyLookup, DomainServices
from work_data_hub.domain.steps import build_steps
from work_data_hub.plugins import contract, manager
from work_data_hub.plugins.domain import Domain
from work_data_hub.plugins.errors import (
    BrokenPlugin,
    PluginContractError,
    PluginLoadError,
    PluginOrigin,
    UnknownDomainError,
    summarize_exception,
)
from work_data_hub.plugins.policy import PluginPolicy
from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class RegisteredDomain:
    """An installed ``Domain`` that passed every check, with where it came from; ``step_types``
    are every installed plugin's step classes by name (the registry's, kept current)."""

    domain: Domain
    origin: PluginOrigin
    step_types: Mapping[str, type] = field(default_factory=dict, repr=False, compare=False)

    @property
    def definition(self) -> DomainDefinition:
        """Return the domain's definition."""
        return self.domain.definition

    @property
    def columns(self) -> tuple[Column, ...]:
        """Return the domain's output columns."""
        return tuple(self.domain.columns)

    @property
    def name(self) -> str:
        """Return the domain name."""
        return self.definition.name

    @property
    def qualified_table(self) -> str:
        """Return the target table as ``schema.table``."""
        return f"{self.definition.db_schema}.{self.definition.table}"

    @property
    def migrations(self) -> MigrationSource | None:
        """Return the domain's Alembic versions, labelled with its name; None without any."""
        location = self.domain.migrations
        return None if location is None else MigrationSource(self.name, location)

    def steps(self, services: DomainServices) -> list[TransformStep]:
        """Return a run's steps: the steps function's (given ``services``) or the declared ones,
        then the company-id enrichment when ``services`` has one.

        Raises ``PluginContractError`` when a steps function returns something that is not a
        list of steps; an exception of the domain's own code propagates with a note naming it.
        """
        enrich = self.domain.enrich
        with self._noted("steps"):
            if callable(self.domain.steps):
                steps = contract.check_steps(self.domain.steps(services), self.definition)
            else:
                steps = self.declared_steps()
        if enrich is not None and services.enrichment is not None:
            steps.append(enrich.step(services.enrichment))
        return steps

    def declared_steps(self) -> list[TransformStep]:
        """Build the declared steps with the installed step types ([] for a steps function); a
        bad spec raises ``StepSpecError`` naming its position and the problem."""
        declared = self.domain.steps
        return [] if callable(declared) else build_steps(declared, self.step_types or None)

    def sample(self, month: str, rows: int | None, seed: int) -> pd.DataFrame | None:
        """Return ``rows`` sample rows for ``month`` (None: a typical month): the domain's own
        generator's, or a clean month from its declarations (``declared_sample``) when it
        declares none. Same seed, same rows."""
        with self._noted("sample"):
            if self.domain.sample is None:
                return declared_sample(self.definition, self.columns, month, rows, seed)
            return self.domain.sample(month, rows, seed)

    def company_id_overrides(self) -> list[Path]:
        """Return this domain's own company-id override files; other domains' never apply."""
        return [Path(path) for path in self.domain.company_id_overrides]

    @contextlib.contextmanager
    def _noted(self, what: str) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            exc.add_note(f"raised by {what} of domain {self.name!r} ({self.origin.label()})")
            raise


class DomainRegistry:
    """Admits plugins one at a time and answers what the rest of the platform asks of them.

    A plugin is a ``Domain`` or a module of shared hooks. A failing plugin becomes a
    ``BrokenPlugin`` (logged, skipped) or, with ``policy.strict``, a ``PluginLoadError``.
    """

    def __init__(self, policy: PluginPolicy | None = None) -> None:
        self.policy = policy or PluginPolicy()
        self.hook_manager = manager.new_hook_manager()
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
        failed = [broken.describe() for broken in self._broken if broken.entry_point == name]
        raise UnknownDomainError("; ".join([message, *failed[:1]]))

    def readers(self) -> dict[str, Reader]:
        """Return the readers by source type (``"excel"``, ``"csv"``, …)."""
        return dict(self._readers)

    def step_types(self) -> dict[str, type]:
        """Return the step classes by name."""
        return dict(self._step_types)

    def company_lookup(self) -> CompanyLookup | None:
        """Return the first company-id lookup service a plugin offers, or None."""
        return cast("CompanyLookup | None", self.hook_manager.hook.workdatahub_company_lookup())

    def register(
        self, plugin: object, *, distribution: str, version: str = "", entry_point: str = ""
    ) -> RegisteredDomain | None:
        """Admit a ``Domain`` or a plugin of shared hooks (a module or any object with them).

        Return the registered domain; None for a plugin of shared hooks, or when the domain was
        skipped: not allowed by name, or broken (recorded in ``broken``; raised as
        ``PluginLoadError`` in strict mode).
        """
        origin = PluginOrigin(distribution, version, entry_point or _label(plugin))
        try:
            if isinstance(plugin, Domain):
                return self._admit(plugin, origin)
            if self.hook_manager.is_registered(plugin):
                raise PluginContractError("cannot register: the plugin is already registered")
            self._claim(origin, *manager.probe_shared(plugin, origin))
            self.hook_manager.register(plugin)
        except Exception as exc:
            error = str(exc) if isinstance(exc, PluginContractError) else summarize_exception(exc)
            self._fail(origin, error)
        return None

    def _admit(self, domain: Domain, origin: PluginOrigin) -> RegisteredDomain | None:
        definition = contract.check_definition(domain.definition)
        contract.check_columns(domain.columns, definition)
        if domain.migrations is not None:
            contract.check_migrations(domain.migrations, definition)
        readers = contract.check_named("readers", domain.readers)
        step_types = contract.check_named("step_types", domain.step_types)
        if not self.policy.is_allowed(origin.distribution, origin.entry_point, definition.name):
            logger.info("plugin_not_allowed", **dataclasses.asdict(origin), domain=definition.name)
            return None
        self._claim(origin, readers, step_types, definition)
        registered = RegisteredDomain(domain, origin, self._step_types)
        self._domains[definition.name] = registered
        return registered

    def _claim(
        self,
        origin: PluginOrigin,
        readers: Mapping[str, Reader],
        step_types: Mapping[str, type],
        definition: DomainDefinition | None = None,
    ) -> None:
        """Record what ``origin`` provides, or raise when another plugin already provides any
        of it: a domain name, a target table, a reader or a step type is never replaced."""
        provider = f"distribution {origin.distribution!r}"
        claims = {("reader", name): provider for name in readers}
        claims |= {("step type", name): provider for name in step_types}
        if definition is not None:
            table = f"{definition.db_schema}.{definition.table}"
            claims[("domain", definition.name)] = provider
            claims[("table", table)] = f"domain {definition.name!r} from {provider}"
        for (kind, name), claimant in claims.items():
            if taken := self._providers.get((kind, name)):
                raise PluginContractError(
                    f"{kind} {name!r} is already provided by {taken}; {claimant} claims it too"
                )
        self._providers.update(claims)
        self._readers.update(readers)
        self._step_types.update(step_types)

    def verify_domains(self) -> None:
        """Set aside, as a broken plugin, every domain whose source names no installed reader or
        whose declared steps the installed step types cannot build; run once every plugin is in
        (a domain may use a reader or step type another plugin adds)."""
        for name, registered in list(self._domains.items()):
            file_type = registered.definition.source.file_type
            try:
                if file_type not in self._readers:
                    raise ValueError(
                        f"source.file_type {file_type!r} has no reader; installed readers: "
                        f"{', '.join(sorted(self._readers)) or 'none'}"
                    )
                registered.declared_steps()
            except ValueError as problem:
                del self._domains[name]
                self._fail(registered.origin, f"domain {name!r}: {problem}")

    def load_builtin(self, module_name: str) -> None:
        """Import the core module ``module_name`` and admit it as a plugin of shared hooks."""
        origin = PluginOrigin(manager.CORE_DISTRIBUTION, core_version, module_name)
        self._load(origin, functools.partial(importlib.import_module, module_name))

    def load_entry_point(self, entry_point: EntryPoint) -> RegisteredDomain | None:
        """Import one ``workdatahub.domains`` entry point and admit it (see ``register``).

        The allow and block lists are checked against the distribution and entry-point names
        before anything is imported.
        """
        origin = manager.origin_of(entry_point)
        if not self.policy.is_allowed(origin.distribution, origin.entry_point):
            logger.info("plugin_not_allowed", **dataclasses.asdict(origin), domain="")
            return None
        return self._load(origin, entry_point.load)

    def _load(self, origin: PluginOrigin, load: Callable[[], object]) -> RegisteredDomain | None:
        try:
            plugin = load()
        except Exception as exc:
            self._fail(origin, f"import failed: {summarize_exception(exc)}")
            return None
        return self.register(plugin, **dataclasses.asdict(origin))

    def _fail(self, origin: PluginOrigin, error: str) -> None:
        broken = BrokenPlugin(**dataclasses.asdict(origin), error=error)
        if self.policy.strict:
            raise PluginLoadError(broken.describe(), broken)
        logger.warning("plugin_skipped", **dataclasses.asdict(broken))
        self._broken.append(broken)


def _label(plugin: object) -> str:
    definition = getattr(plugin, "definition", None)
    return str(getattr(definition, "name", getattr(plugin, "__name__", type(plugin).__name__)))


def load_domains(
    env: Mapping[str, str] = os.environ,
    *,
    search_path: Sequence[str] | None = None,
    builtins: Sequence[str] = manager.BUILTIN_PLUGINS,
) -> DomainRegistry:
    """Load the internal plugins, then every ``workdatahub.domains`` entry point, one at a time.

    ``env`` supplies ``WDH_STRICT_PLUGINS``, ``WDH_PLUGINS_ALLOW`` and ``WDH_PLUGINS_BLOCK``;
    ``search_path`` limits discovery to these folders (default ``sys.path``). Raises
    ``PluginLoadError`` in strict mode on the first failure, or on a malformed setting.
    """
    registry = DomainRegistry(PluginPolicy.from_env(env))
    for module_name in builtins:
        registry.load_builtin(module_name)
    for entry_point in manager.discover_entry_points(search_path):
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
