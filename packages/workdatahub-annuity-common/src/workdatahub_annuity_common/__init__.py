"""What the annuity domains share: the monthly workbook's columns, reference tables and rules.

It registers no domain; ``workdatahub-annuity-performance`` and ``workdatahub-annuity-income``
build their declarations from it.
"""

from workdatahub_annuity_common.declarations import (
    BRANCH_COLUMNS,
    COMPANY_ID,
    COMPANY_ID_ENRICHMENT,
    HEADER_ALIASES,
    IDENTIFYING_STEPS,
    MONTH_COLUMN,
    PLAN_COLUMNS,
    PLAN_TYPES,
    PORTFOLIO_CODE,
    REFRESH_KEY,
    REQUIRED_COLUMNS,
    workbook_sheet,
)
from workdatahub_annuity_common.reference import (
    BRANCHES,
    BUSINESS_TYPES,
    DEFAULT_PLAN_CODES,
    DEFAULT_PORTFOLIOS,
    OCCUPATIONAL,
    PLAN_CODE_TYPOS,
    PRODUCT_LINES,
)

__all__ = [
    "BRANCHES",
    "BRANCH_COLUMNS",
    "BUSINESS_TYPES",
    "COMPANY_ID",
    "COMPANY_ID_ENRICHMENT",
    "DEFAULT_PLAN_CODES",
    "DEFAULT_PORTFOLIOS",
    "HEADER_ALIASES",
    "IDENTIFYING_STEPS",
    "MONTH_COLUMN",
    "OCCUPATIONAL",
    "PLAN_CODE_TYPOS",
    "PLAN_COLUMNS",
    "PLAN_TYPES",
    "PORTFOLIO_CODE",
    "PRODUCT_LINES",
    "REFRESH_KEY",
    "REQUIRED_COLUMNS",
    "workbook_sheet",
]
