"""The ``test_events`` domain: a three-column CSV appended to ``public.test_events``."""

from __future__ import annotations

from work_data_hub.plugins import Column, Domain, DomainDefinition, SourceSpec

DOMAIN_NAME = "test_events"

PLUGIN = Domain(
    definition=DomainDefinition(
        name=DOMAIN_NAME,
        table="test_events",
        source=SourceSpec(patterns=("events*.csv",), file_type="csv"),
        write_mode="append",
        description="Test domain used by WorkDataHub's own tests",
    ),
    columns=(
        Column("event_date", kind="date", nullable=False, description="Day the event happened"),
        Column("customer", max_length=100, description="Customer name as written in the file"),
        Column("amount", kind="decimal", precision=18, scale=2, description="Amount in CNY"),
    ),
)
"""CSV files named ``events*.csv`` in the month folder, appended."""
