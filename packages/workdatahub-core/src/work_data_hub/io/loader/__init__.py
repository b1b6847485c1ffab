"""The transactional PostgreSQL loader and the audit writer.

``WarehouseLoader.load_dataframe`` writes a DataFrame with one of the write modes (``append``,
``upsert``, ``delete_insert``, ``replace``) in one transaction; ``AuditWriter`` records each run.
"""

from work_data_hub.io.loader.audit import AuditError, AuditWriter
from work_data_hub.io.loader.copy_format import FrameSerialiser, arrow_csv_chunks
from work_data_hub.io.loader.errors import (
    ConnectionLostError,
    DatabaseUnavailableError,
    InvalidLoadRequestError,
    LoaderError,
    MissingRequiredColumnsError,
    TableNotFoundError,
)
from work_data_hub.io.loader.retry import DEFAULT_BACKOFF_S, RetryPolicy, is_connection_failure
from work_data_hub.io.loader.warehouse_loader import (
    COPY_THRESHOLD_ROWS,
    LoadResult,
    WarehouseLoader,
)

__all__ = [
    "COPY_THRESHOLD_ROWS",
    "DEFAULT_BACKOFF_S",
    "AuditError",
    "AuditWriter",
    "ConnectionLostError",
    "DatabaseUnavailableError",
    "FrameSerialiser",
    "InvalidLoadRequestError",
    "LoadResult",
    "LoaderError",
    "MissingRequiredColumnsError",
    "RetryPolicy",
    "TableNotFoundError",
    "WarehouseLoader",
    "arrow_csv_chunks",
    "is_connection_failure",
]
