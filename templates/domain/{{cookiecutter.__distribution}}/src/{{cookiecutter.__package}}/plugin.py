"""The plugin the core loads: the domain declared from ``declarations`` and ``rules``."""

from __future__ import annotations

from work_data_hub.plugins import Domain

from {{ cookiecutter.__package }} import declarations, rules

PLUGIN = Domain(
    definition=declarations.DEFINITION,
    columns=declarations.COLUMNS,
    steps=(*declarations.STEPS, *rules.RULES),
    migrations=f"{__package__}:migrations/versions",
)
"""The source file, table, columns and steps; the core validates ``COLUMNS`` after the steps."""
