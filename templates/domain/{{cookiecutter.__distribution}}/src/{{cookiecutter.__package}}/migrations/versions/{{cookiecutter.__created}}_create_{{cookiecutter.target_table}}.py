{% import "answers.j2" as a with context -%}
"""{{ cookiecutter.target_table }}: the table from the declared columns, indexed on the keys

Revision ID: {{ cookiecutter.__revision }}
Revises:
Create Date: {{ cookiecutter.__created[:4] }}-{{ cookiecutter.__created[4:6] }}-{{ cookiecutter.__created[6:8] }} {{ cookiecutter.__created[9:11] }}:{{ cookiecutter.__created[11:13] }}:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from work_data_hub.migrations import create_domain_table, drop_domain_table

revision: str = "{{ cookiecutter.__revision }}"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("{{ cookiecutter.domain_name }}",)
depends_on: str | Sequence[str] | None = "core"

TABLE = "{{ cookiecutter.target_table }}"
SCHEMA = "public"
KEYS = ({% for key in a.keys %}"{{ key }}"{% if not loop.last %}, {% endif %}{% endfor %}{% if a.keys | length == 1 %},{% endif %})


def columns() -> list[sa.Column[Any]]:
    """The columns as this revision creates them; a later change is a later revision.

    Written out, never imported from ``declarations``: when ``COLUMNS`` changes, run
    ``workdatahub db revision --autogenerate -m "..." --branch {{ cookiecutter.domain_name }}``.
    """
    return [
        sa.Column("month", sa.Date(), nullable=False, comment="report month (first day)"),
        sa.Column("account", sa.String(20), nullable=False, comment="account code, e.g. A0001"),
{%- for key in a.extra_keys %}
        sa.Column("{{ key }}", sa.Text(), nullable=False, comment="key column"),
{%- endfor %}
        sa.Column("customer_name", sa.Text(), comment="customer name, normalised"),
        sa.Column("branch_name", sa.Text(), comment="branch as written in the file"),
        sa.Column(
            "branch_code",
            sa.Text(),
            comment="branch code looked up from branch_name; G00 if unknown",
        ),
        sa.Column("product", sa.Text(), comment="product type"),
        sa.Column("balance", sa.Numeric(18, 2), comment="closing balance"),
        sa.Column("fee", sa.Numeric(18, 2), comment="fee charged; empty is 0"),
    ]


def upgrade() -> None:
    """Create the table, its lineage columns and the index on the keys."""
    create_domain_table(
        op,
        TABLE,
        columns(),
        SCHEMA,
        KEYS,
        unique_keys={{ cookiecutter.write_mode == "upsert" }},
    )


def downgrade() -> None:
    """Drop the table and its indexes."""
    drop_domain_table(op, TABLE, SCHEMA)
