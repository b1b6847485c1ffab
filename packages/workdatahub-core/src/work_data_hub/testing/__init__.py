"""Test support for domain authors: the pytest plugin and its helpers."""

from work_data_hub.testing.databases import (
    DatabaseServer,
    DatabaseSetupError,
    load_test_data,
    unique_database_name,
)

__all__ = ["DatabaseServer", "DatabaseSetupError", "load_test_data", "unique_database_name"]
