"""core audit tables

pipeline_executions, data_quality_metrics, rejected_rows and company_id_cache.

Revision ID: 68153775e475
Create Date: 2026-11-25 17:50:14.745680
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "68153775e475"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None

EXECUTION_STATUSES = ("running", "succeeded", "failed")


def _execution_id_reference() -> sa.Column[uuid.UUID]:
    return sa.Column(
        "execution_id",
        UUID(as_uuid=True),
        sa.ForeignKey("pipeline_executions.execution_id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    """Apply: the audit tables every run writes, and the company id cache."""
    statuses = ", ".join(f"'{status}'" for status in EXECUTION_STATUSES)
    op.create_table(
        "pipeline_executions",
        sa.Column(
            "execution_id",
            UUID(as_uuid=True),
            primary_key=True,
            server_default=sa.text("gen_random_uuid()"),
        ),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("pipeline_name", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("input_file", sa.Text()),
        sa.Column("input_checksum", sa.Text()),
        sa.Column("sheet", sa.Text()),
        sa.Column("target_table", sa.Text()),
        sa.Column("rows_read", sa.Integer()),
        sa.Column("rows_loaded", sa.Integer()),
        sa.Column("rows_rejected", sa.Integer()),
        sa.Column("dry_run", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("error_type", sa.Text()),
        sa.Column("error_details", sa.Text()),
        sa.Column("environment", sa.Text()),
        sa.Column("metadata", JSONB()),
        sa.CheckConstraint(f"status IN ({statuses})", name="ck_pipeline_executions_status"),
    )
    op.create_index(
        "ix_pipeline_executions_domain_started_at", "pipeline_executions", ["domain", "started_at"]
    )
    op.create_table(
        "data_quality_metrics",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        _execution_id_reference(),
        sa.Column("metric_name", sa.Text(), nullable=False),
        sa.Column("metric_value", sa.Double()),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("details", JSONB()),
    )
    op.create_index(
        "ix_data_quality_metrics_execution_id", "data_quality_metrics", ["execution_id"]
    )
    op.create_table(
        "rejected_rows",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        _execution_id_reference(),
        sa.Column("source_file", sa.Text()),
        sa.Column("sheet", sa.Text()),
        sa.Column("source_row", sa.Integer()),
        sa.Column("column_name", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw_row", JSONB()),
    )
    op.create_index("ix_rejected_rows_execution_id", "rejected_rows", ["execution_id"])
    op.create_table(
        "company_id_cache",
        sa.Column("normalized_name", sa.Text(), primary_key=True),
        sa.Column("company_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("plan_code", sa.Text()),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_index("ix_company_id_cache_plan_code", "company_id_cache", ["plan_code"])


def downgrade() -> None:
    """Revert: drop the audit tables and the company id cache."""
    op.drop_table("company_id_cache")
    op.drop_table("rejected_rows")
    op.drop_table("data_quality_metrics")
    op.drop_table("pipeline_executions")
