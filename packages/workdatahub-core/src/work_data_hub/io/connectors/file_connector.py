"""Monthly file discovery: which file in the inbox is a domain's source for a month.

The folder is ``inbox / source.folder`` with ``{YYYYMM}`` (also ``{YYYY}``, ``{MM}``) filled
in. Re-issues live in version sub-folders ``V1``, ``V2`` … (any case): the highest version
holding a matching file wins, the base folder itself comes last. In the chosen folder a
file matches when its name fits one of ``source.patterns`` and none of ``source.exclude``
(glob patterns, case-insensitive). Two matches are an error unless a selection rule says
which one to take; a source declaring ``all_files`` takes them all (``discover_files``).
"""

from __future__ import annotations

import glob
import re
import string
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from work_data_hub.domain.definition import SourceSpec
from work_data_hub.utils.logging import get_logger

__all__ = [
    "FileDiscoveryError",
    "Selection",
    "SourceFileNotFound",
    "discover_file",
    "discover_files",
    "folder_for",
    "list_months",
    "matching_files",
    "name_matches",
    "validate_month",
]

logger = get_logger(__name__)

Selection = Literal["error", "newest", "oldest", "first"]

_MONTH = re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})")
_VERSION_FOLDER = re.compile(r"[vV]([0-9]+)")
_PLACEHOLDER_DIGITS = {"YYYYMM": 6, "YYYY": 4, "MM": 2}


class FileDiscoveryError(Exception):
    """No usable source file for a month: nothing matches, several match, or the input is wrong."""


class SourceFileNotFound(FileDiscoveryError):
    """Nothing matches for the month: no month folder, or no file fitting the patterns."""


def validate_month(month: str) -> str:
    """Return ``month`` when it is ``YYYYMM`` with a month 01–12; raise ``FileDiscoveryError``."""
    match = _MONTH.fullmatch(month)
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise FileDiscoveryError(f"month {month!r} is not YYYYMM (for example 202411)")
    return month


def folder_for(inbox: Path, source: SourceSpec, month: str) -> Path:
    """Return the base folder of ``source`` for ``month`` (before any version folder)."""
    validate_month(month)
    try:
        relative = source.folder.format(YYYYMM=month, YYYY=month[:4], MM=month[4:])
    except (KeyError, IndexError, ValueError) as error:
        raise FileDiscoveryError(
            f"folder pattern {source.folder!r} is invalid: only {{YYYYMM}}, {{YYYY}} and {{MM}} "
            "may be filled in"
        ) from error
    return inbox / relative


def _fits(name: str, patterns: tuple[str, ...]) -> bool:
    folded = name.casefold()
    return any(fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


def name_matches(name: str, source: SourceSpec) -> bool:
    """Return whether a file name fits one of the source's patterns and none of its exclusions."""
    return _fits(name, source.patterns) and not _fits(name, source.exclude)


def _version_folders(base: Path) -> list[Path]:
    """Return ``V<n>`` sub-folders of ``base``, highest version first."""
    versions = [
        (int(match[1]), child)
        for child in base.iterdir()
        if child.is_dir() and (match := _VERSION_FOLDER.fullmatch(child.name))
    ]
    return [child for _, child in sorted(versions, key=lambda pair: pair[0], reverse=True)]


def matching_files(folder: Path, source: SourceSpec) -> list[Path]:
    """Return the files directly in ``folder`` that match ``source``, sorted by name."""
    return sorted(
        (
            child
            for child in folder.iterdir()
            if child.is_file() and name_matches(child.name, source)
        ),
        key=lambda path: path.name,
    )


def _select(matches: list[Path], select: Selection, folder: Path) -> Path:
    if len(matches) == 1 or select == "first":
        return matches[0]
    if select == "newest":
        return max(matches, key=lambda path: (path.stat().st_mtime, path.name))
    if select == "oldest":
        return min(matches, key=lambda path: (path.stat().st_mtime, path.name))
    listing = ", ".join(repr(path.name) for path in matches)
    raise FileDiscoveryError(
        f"{len(matches)} files in {folder} match: {listing}; keep only one, or choose with "
        "--select newest, --select oldest or --select first"
    )


def discover_files(
    inbox: Path, source: SourceSpec, month: str, *, select: Selection = "error"
) -> list[Path]:
    """Return the source files of ``source`` for ``month``: every match of the chosen folder
    (the highest version folder holding one, else the base folder), by name, when the source
    declares ``all_files``; else the one ``discover_file`` returns.
    """
    if not source.all_files:
        return [discover_file(inbox, source, month, select=select)]
    chosen = discover_file(inbox, source, month, select="first")
    files = matching_files(chosen.parent, source)
    logger.info("source files found", folder=str(chosen.parent), month=month, files=len(files))
    return files


def discover_file(
    inbox: Path, source: SourceSpec, month: str, *, select: Selection = "error"
) -> Path:
    """Return the one source file of ``source`` for ``month`` under ``inbox``.

    Searches the version folders highest first, then the base folder, and stops at the first
    folder holding a match. Several matches there raise ``FileDiscoveryError`` unless
    ``select`` is ``"newest"``/``"oldest"`` (modification time) or ``"first"`` (by name).
    Raises ``FileDiscoveryError`` naming the folders and patterns when nothing matches.
    """
    base = folder_for(inbox, source, month)
    if not base.is_dir():
        raise SourceFileNotFound(
            f"no folder for month {month}: {base} does not exist (INBOX_DIR={inbox}, "
            f"folder pattern {source.folder!r}){_nearest_months(inbox, source, month)}"
        )
    searched = [*_version_folders(base), base]
    for folder in searched:
        matches = matching_files(folder, source)
        if matches:
            chosen = _select(matches, select, folder)
            logger.info("source file found", file=str(chosen), month=month, candidates=len(matches))
            return chosen
    excluded = [
        child.name
        for folder in searched
        for child in sorted(folder.iterdir())
        if child.is_file() and _fits(child.name, source.patterns)
    ]
    others = [
        child.name
        for folder in searched
        for child in sorted(folder.iterdir())
        if child.is_file() and child.name not in excluded
    ]
    raise SourceFileNotFound(
        f"no file for month {month} matches {', '.join(map(repr, source.patterns))}; searched "
        + ", ".join(str(folder) for folder in searched)
        + (f"; excluded by {', '.join(map(repr, source.exclude))}: " if excluded else "")
        + ", ".join(map(repr, excluded))
        + (f"; files there: {_listing(others)}" if others else "; the folder is empty")
    )


NEAREST_SHOWN = 5
"""Candidates an error lists (month folders, files), nearest first."""


def _listing(names: list[str]) -> str:
    shown = ", ".join(map(repr, names[:NEAREST_SHOWN]))
    return shown + (f" and {len(names) - NEAREST_SHOWN} more" if len(names) > NEAREST_SHOWN else "")


def _nearest_months(inbox: Path, source: SourceSpec, month: str) -> str:
    """``"; months with a file: 202410, 202412"``, nearest to ``month`` first; "" for none."""
    if not inbox.is_dir():
        return "; INBOX_DIR itself does not exist"
    try:
        months = list_months(inbox, source)
    except FileDiscoveryError:
        return ""
    if not months:
        return "; no month of the inbox has a file for this source"

    def distance(candidate: str) -> int:
        return abs(_month_number(candidate) - _month_number(month))

    return f"; months with a file: {', '.join(sorted(months, key=distance)[:NEAREST_SHOWN])}"


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[4:]) - 1


def _month_pattern(folder_pattern: str) -> tuple[str, re.Pattern[str]]:
    """Return a glob and a regex that find and parse the month folders of a folder pattern."""
    glob_parts: list[str] = []
    regex_parts: list[str] = []
    fields: set[str] = set()
    for literal, field, _, _ in string.Formatter().parse(folder_pattern):
        glob_parts.append(glob.escape(literal))
        regex_parts.append(re.escape(literal))
        if field is None:
            continue
        if field not in _PLACEHOLDER_DIGITS:
            raise FileDiscoveryError(
                f"folder pattern {folder_pattern!r} has an unknown placeholder {{{field}}}"
            )
        digits = _PLACEHOLDER_DIGITS[field]
        glob_parts.append("[0-9]" * digits)
        regex_parts.append(
            f"(?P<{field}>[0-9]{{{digits}}})" if field not in fields else f"(?P={field})"
        )
        fields.add(field)
    if "YYYYMM" not in fields and not {"YYYY", "MM"} <= fields:
        raise FileDiscoveryError(
            f"folder pattern {folder_pattern!r} names no month: "
            "use {YYYYMM}, or {YYYY} and {MM}"
        )
    return "".join(glob_parts), re.compile("".join(regex_parts))


def list_months(inbox: Path, source: SourceSpec) -> list[str]:
    """Return, ascending, every month (YYYYMM) with a matching file for ``source`` in ``inbox``.

    The folder pattern must contain ``{YYYYMM}`` or both ``{YYYY}`` and ``{MM}``
    (``FileDiscoveryError`` otherwise); folders whose placeholders disagree are skipped.
    """
    folder_glob, folder_regex = _month_pattern(source.folder)
    months: set[str] = set()
    for folder in inbox.glob(folder_glob):
        parsed = folder_regex.fullmatch(folder.relative_to(inbox).as_posix())
        if parsed is None or not folder.is_dir():
            continue
        fields = parsed.groupdict()
        month = fields.get("YYYYMM") or fields["YYYY"] + fields["MM"]
        if ("YYYY" in fields and not month.startswith(fields["YYYY"])) or (
            "MM" in fields and not month.endswith(fields["MM"])
        ):
            continue
        try:
            discover_file(inbox, source, month, select="first")
        except FileDiscoveryError:
            continue
        months.add(month)
    return sorted(months)
