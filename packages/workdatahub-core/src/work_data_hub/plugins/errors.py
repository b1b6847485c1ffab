"""What a plugin failure looks like: a ``BrokenPlugin``, or ``PluginLoadError`` in strict mode."""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import pluggy

MAX_SUMMARY_LENGTH = 400

_MACHINERY_FOLDERS = (
    *(str(Path(module.__file__).parent) for module in (importlib, pluggy) if module.__file__),
    str(Path(__file__).parent),
)
"""Frames in these folders (import machinery, pluggy, this package) never locate a plugin fault."""


@dataclass(frozen=True)
class PluginOrigin:
    """Where a plugin came from: its distribution, version and entry point (or module name)."""

    distribution: str
    version: str = ""
    entry_point: str = ""

    def label(self) -> str:
        """Return ``distribution version``, as a note on an error names the plugin."""
        return f"{self.distribution} {self.version}".strip()


@dataclass(frozen=True)
class BrokenPlugin(PluginOrigin):
    """A plugin that was skipped: where it came from and a one-line summary of what went wrong."""

    error: str = ""

    def describe(self) -> str:
        """Return one line naming the distribution, its version, its entry point and the error."""
        return f"plugin {self.label()} (entry point {self.entry_point!r}): {self.error}"


class PluginLoadError(Exception):
    """Plugins cannot load as configured: a bad plugin setting, or a plugin failure in strict mode.

    ``broken`` names the failed plugin (distribution, entry point, error) when there is one.
    """

    def __init__(self, message: str, broken: BrokenPlugin | None = None) -> None:
        self.broken = broken
        super().__init__(message)


class UnknownDomainError(LookupError):
    """No installed domain has the requested name; the message lists the known ones."""


class PluginContractError(Exception):
    """A plugin answered its hooks with something the contract does not allow."""


def summarize_exception(exc: BaseException) -> str:
    """Return ``Type: first line of message (at file:line)``: enough to act on, no traceback."""
    lines = str(exc).strip().splitlines()
    summary = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    if location := _innermost_location(exc):
        summary = f"{summary} (at {location})"
    if len(summary) > MAX_SUMMARY_LENGTH:
        summary = summary[: MAX_SUMMARY_LENGTH - 1] + "…"
    return summary


def _innermost_location(exc: BaseException) -> str | None:
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith(("<", *_MACHINERY_FOLDERS))
    ]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None
