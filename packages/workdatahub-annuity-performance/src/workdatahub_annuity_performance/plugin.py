"""The annuity_performance plugin: the domain declared from ``declarations`` and ``sample``."""

from __future__ import annotations

from work_data_hub.plugins import Domain
from workdatahub_annuity_common import COMPANY_ID_ENRICHMENT

from workdatahub_annuity_performance import declarations as d
from workdatahub_annuity_performance.sample import generate

PLUGIN = Domain(
    definition=d.DEFINITION,
    columns=d.COLUMNS,
    steps=d.STEPS,
    enrich=COMPANY_ID_ENRICHMENT,
    migrations=f"{__package__}:migrations/versions",
    sample=generate,
    company_id_overrides=[d.COMPANY_ID_OVERRIDES],
)
"""Sheet 规模明细 into ``annuity_performance``: rules 1–12 as generic steps, then company ids."""
