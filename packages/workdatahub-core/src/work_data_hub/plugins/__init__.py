"""How domains plug in: hook specifications, the plugin manager, the domain registry.

A domain author writes ``from work_data_hub.plugins import DeclaredDomain, DomainDefinition``
(or ``hookimpl`` for hook functions).
"""

from work_data_hub.domain.columns import Column
from work_data_hub.plugins.declared import CompanyIdEnrichment, DeclaredDomain
from work_data_hub.plugins.definition import (
    DomainDefinition,
    MigrationSource,
    SourceSpec,
    WriteMode,
)
from work_data_hub.plugins.errors import BrokenPlugin, PluginLoadError, UnknownDomainError
from work_data_hub.plugins.hookspecs import SPEC_VERSION, hookimpl, hookspec
from work_data_hub.plugins.manager import BUILTIN_PLUGINS, ENTRY_POINT_GROUP
from work_data_hub.plugins.readers import Reader, SourceFileError
from work_data_hub.plugins.registry import (
    DomainRegistry,
    RegisteredDomain,
    get_registry,
    load_domains,
    reset_registry,
)

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "SPEC_VERSION",
    "BrokenPlugin",
    "Column",
    "CompanyIdEnrichment",
    "DeclaredDomain",
    "DomainDefinition",
    "DomainRegistry",
    "MigrationSource",
    "PluginLoadError",
    "Reader",
    "RegisteredDomain",
    "SourceFileError",
    "SourceSpec",
    "UnknownDomainError",
    "WriteMode",
    "get_registry",
    "hookimpl",
    "hookspec",
    "load_domains",
    "reset_registry",
]
