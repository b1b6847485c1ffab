"""The run's source file: its checksum, and whether it can be read at all."""

from __future__ import annotations

import hashlib
from pathlib import Path

from work_data_hub.io.runs.failures import failure_message
from work_data_hub.io.runs.request import RunFailed

__all__ = ["check_readable", "file_checksum"]


def file_checksum(path: Path) -> str | None:
    """The file's SHA-256, or None when it cannot be read (the read stage then fails, recorded)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def check_readable(path: Path) -> None:
    """Raise ``RunFailed`` naming the file and the reason when it cannot be opened for reading."""
    try:
        path.open("rb").close()
    except OSError as error:
        raise RunFailed(failure_message(error)) from error
