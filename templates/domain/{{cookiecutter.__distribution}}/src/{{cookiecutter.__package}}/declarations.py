{% import "answers.j2" as a with context -%}
"""The domain as data: where its file is, the table's columns, the generic cleaning steps.

Edit this file first: ``COLUMNS`` for the table, ``STEPS`` for generic cleaning, ``DEFINITION``
for the source file and how rows are written. Business rules go in ``rules.py``.
"""

from __future__ import annotations

from typing import Any

from work_data_hub.plugins import Column, DomainDefinition, SourceSpec

DEFINITION = DomainDefinition(
    name="{{ cookiecutter.domain_name }}",
    table="{{ cookiecutter.target_table }}",
    source=SourceSpec(
        # Files named like this, in <inbox>/YYYYMM/, are found by `workdatahub run --month`.
        patterns=("{{ cookiecutter.domain_name }}_*.{{ a.extension }}",),
        file_type="{{ cookiecutter.source_type }}",
{%- if cookiecutter.source_type == "excel" %}
        sheet="{{ cookiecutter.sheet_name }}",
{%- endif %}
        # Other spellings of a header in older files → the declared column name.
        header_aliases={"account_no": "account"},
    ),
    write_mode="{{ cookiecutter.write_mode }}",
    keys=({% for key in a.keys %}"{{ key }}"{% if not loop.last %}, {% endif %}{% endfor %}{% if a.keys | length == 1 %},{% endif %}),
    # Each row's report month: a run loads one month; rows of other months are rejected.
    month_column="month",
    description="{{ cookiecutter.title }}",
)

COLUMNS = (
    Column("month", "date", nullable=False, description="report month (first day)"),
    Column("account", max_length=20, nullable=False, description="account code, e.g. A0001"),
{%- for key in a.extra_keys %}
    Column("{{ key }}", nullable=False, description="key column"),
{%- endfor %}
    Column("customer_name", description="customer name, normalised"),
    Column("branch_name", description="branch as written in the file"),
    Column("branch_code", description="branch code looked up from branch_name; G00 if unknown"),
    Column("product", isin=("deposit", "fund", "loan"), description="product type"),
    Column("balance", "decimal", precision=18, scale=2, description="closing balance"),
    Column("fee", "decimal", precision=18, scale=2, ge=0, description="fee charged; empty is 0"),
)
"""The table's columns, once: the table and the row checks derive from them."""

BRANCH_CODES = {"北京": "G01", "上海": "G02", "深圳": "G03", "四川": "G04"}
PRODUCT_SPELLINGS = {"Deposit": "deposit", "FUND": "fund", "Fund": "fund", "Loan": "loan"}

STEPS: tuple[dict[str, Any], ...] = (
    # Generic steps of the core, as data, run in order: rename, map_values, replace_values,
    # fill_default, strip_prefix, parse_month, clean_money, clean_rate, normalise_names, ...
    # (work_data_hub.domain.steps.GENERIC_STEPS). A value a step cannot read rejects the row
    # with its row number and the reason; nothing is dropped silently.
    dict(step="parse_month", column="month"),
    dict(step="replace_values", column="product", replacements=PRODUCT_SPELLINGS),
    dict(
        step="map_values",
        column="branch_name",
        mapping=BRANCH_CODES,
        default="G00",
        target="branch_code",
    ),
    dict(step="clean_money", columns=("balance", "fee")),
    dict(step="fill_default", column="fee", value=0.0),
    dict(step="normalise_names", column="customer_name"),
)
"""Generic cleaning, in order; the domain's own rules follow (``rules.RULES``)."""
