"""``Site``: a throw-away folder where tests "install" plugin distributions without pip.

Each distribution is a ``<name>-<version>.dist-info`` folder (METADATA, entry_points.txt) plus
its module, on ``sys.path``: ``importlib.metadata`` finds it exactly as it finds a real install.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from work_data_hub.plugins.registry import DomainRegistry, load_domains

CORE_READERS = "work_data_hub.io.readers.builtin"

GOOD_DOMAIN = """
from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

DEFINITION = DomainDefinition(
    name={name!r},
    table={table!r},
    source=SourceSpec(patterns=("*.csv",), file_type="csv"),
    write_mode={write_mode!r},
    keys={keys!r},
)
COLUMNS = [Column("id", kind="integer", nullable=False), Column("label")]
"""
"""A working domain's declarations; ``add_domain`` appends ``PLUGIN = Domain(...)`` to them."""


class Site:
    """A folder on ``sys.path`` holding fake installed distributions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: list[str] = []

    def add(
        self,
        distribution: str,
        source: str,
        *,
        version: str = "1.0.0",
        entry_point: str | None = None,
        module: str | None = None,
        attribute: str | None = None,
    ) -> str:
        """Install ``distribution`` with one module holding ``source``; return the module name.

        The entry point names the module, or ``attribute`` in it."""
        module = module or distribution.replace("-", "_")
        target = f"{module}:{attribute}" if attribute else module
        self.add_metadata(distribution, version, {entry_point or module: target})
        self.add_module(module, source)
        return module

    def add_module(self, module: str, source: str) -> None:
        """Write the module ``module`` holding ``source`` (dedented)."""
        (self.root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        self.modules.append(module)

    def add_metadata(
        self, distribution: str, version: str, entry_points: Mapping[str, str]
    ) -> None:
        """Write only the dist-info folder: ``entry_points`` maps entry-point names to modules."""
        dist_info = self.root / f"{distribution.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = [f"{name} = {target}" for name, target in entry_points.items()]
        (dist_info / "entry_points.txt").write_text(
            "[workdatahub.domains]\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )

    def add_domain(
        self,
        distribution: str,
        name: str,
        *,
        table: str | None = None,
        write_mode: str = "append",
        keys: tuple[str, ...] = (),
        version: str = "1.0.0",
        extra: str = "",
        fields: str = "",
        entry_point: str | None = None,
    ) -> str:
        """Install a working domain plugin named by ``"module:PLUGIN"``; ``extra`` is source
        placed before ``PLUGIN``, ``fields`` more ``Domain`` fields (``"readers=READERS"``)."""
        source = GOOD_DOMAIN.format(
            name=name, table=table or name, write_mode=write_mode, keys=keys
        )
        plugin = f"\nPLUGIN = Domain(definition=DEFINITION, columns=COLUMNS, {fields})\n"
        return self.add(
            distribution,
            source + textwrap.dedent(extra) + plugin,
            version=version,
            entry_point=entry_point or name,
            module=f"{distribution.replace('-', '_')}_plugin",
            attribute="PLUGIN",
        )

    def load(self, env: Mapping[str, str] | None = None) -> DomainRegistry:
        """Load the domains installed in this site, with the core's readers and no other."""
        return load_domains(env or {}, search_path=[str(self.root)], builtins=(CORE_READERS,))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """An empty site folder on ``sys.path``; its modules are forgotten afterwards.

    A conftest makes it available with ``from plugin_site import site``.
    """
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    created = Site(root)
    yield created
    for module in created.modules:
        sys.modules.pop(module, None)
