"""Internal plugin: offers the core's generic transform steps to every domain by name."""

from __future__ import annotations

from collections.abc import Mapping

from work_data_hub.plugins.hookspecs import hookimpl


@hookimpl
def workdatahub_step_types() -> Mapping[str, type]:
    """Return ``work_data_hub.domain.steps.GENERIC_STEPS`` as the module holds it when asked."""
    from work_data_hub.domain.steps import GENERIC_STEPS

    return GENERIC_STEPS
