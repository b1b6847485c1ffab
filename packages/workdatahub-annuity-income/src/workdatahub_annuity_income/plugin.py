"""The annuity_income plugin: the domain declared from ``declarations`` and ``sample``."""

from __future__ import annotations

from work_data_hub.plugins import Domain
from workdatahub_annuity_common import COMPANY_ID_ENRICHMENT

from workdatahub_annuity_income import declarations as d
from workdatahub_annuity_income.sample import generate

PLUGIN = Domain(
    definition=d.DEFINITION,
    columns=d.COLUMNS,
    steps=d.STEPS,
    enrich=COMPANY_ID_ENRICHMENT,
    migrations=f"{__package__}:migrations/versions",
    sample=generate,
)
"""Sheet 收入明细 into ``annuity_income``: the declared rules as generic steps, then company ids."""
