"""What an xlsx/xlsm workbook says about every sheet's cells: its shared strings, which cell
styles show numbers as dates, times or durations, and its date system.

The streaming sheet reader (``xlsx_stream``) turns a cell's XML into the value python-calamine
0.9 gives for it: a number in a date or time format is a ``date``, ``datetime``, ``time`` or
``timedelta`` exactly as python-calamine converts it (``serial_value``), every other number a
``float``, a shared string its text without phonetic runs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass
from enum import IntEnum
from html import escape, unescape
from pathlib import PurePosixPath

import numpy as np
import numpy.typing as npt

from work_data_hub.io.readers.cell_text import CellValue

__all__ = [
    "XML_WHITESPACE",
    "NumberKind",
    "WorkbookFacts",
    "number_format_kind",
    "read_facts",
    "rich_text",
    "run_text",
    "serial_value",
]

_ATTRIBUTES = r'((?:[^>"]|"[^"]*")*)'
"""A tag's attributes; a quoted value may hold ``>``."""
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\s" + _ATTRIBUTES + ">")
_BLOCK_SIZE = 1 << 20
_STRING = re.compile(r"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si/>", re.DOTALL)
_PLAIN_STRING = re.compile(r"<(?:\w+:)?t>([^<]*)</(?:\w+:)?t>")
_TEXT_RUN = re.compile(r"<(?:\w+:)?t(\s[^>]*)?>([^<]*)</(?:\w+:)?t>")
XML_WHITESPACE = " \t\r\n"
"""The characters XML counts as white space."""
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)
_STRING_END = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si/>")
_CELL_FORMATS = re.compile(r"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.DOTALL)
_FORMAT_ENTRY = re.compile(r"<(?:\w+:)?xf\b" + _ATTRIBUTES + ">")
_NUMBER_FORMAT = re.compile(r"<(?:\w+:)?numFmt\b" + _ATTRIBUTES + ">")
_DATE_SYSTEM = re.compile(r"<(?:\w+:)?workbookPr\b[^>]*\sdate1904=\"(1|true)\"")

_EPOCH = dt.datetime(1899, 12, 30)
_MS_PER_DAY = 86_400_000
_MILLISECONDS_LIMIT = 2.0**63
"""python-calamine counts milliseconds in 64 bits: it fails below minus this, and reads no
date above it."""
_FIRST_TIME_SERIAL = -96_439_724
"""The lowest serial python-calamine reads as a time of day (chrono's first date); below it
the number stays a number."""
_LEAP_BUG_SERIAL = 60
"""Excel counts a 29 February 1900 that never was: serials below it are one day early."""
_DAYS_1904 = 1462
"""Days from the 1900 system's serial 0 to 1 January 1904, the 1904 system's serial 0."""
_DATE_FORMAT_IDS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_DURATION_FORMAT_IDS = frozenset({46})


class NumberKind(IntEnum):
    """How a cell style shows a number: as a number, a date or time, or an elapsed time."""

    NUMBER = 0
    DATETIME = 1
    DURATION = 2


@dataclass(frozen=True)
class WorkbookFacts:
    """The workbook-wide facts a sheet's cells are read with."""

    shared_strings: npt.NDArray[np.object_]
    style_kinds: npt.NDArray[np.int8]
    """``NumberKind`` of every cell style (``s`` attribute), in workbook order."""
    date1904: bool

    def kind_of_styles(self, styles: npt.NDArray[np.int64]) -> npt.NDArray[np.int8]:
        """Return the ``NumberKind`` of each style index; unknown styles (and a negative index,
        a cell without a style) show plain numbers."""
        kinds = np.zeros(len(styles), dtype=np.int8)
        known = (styles >= 0) & (styles < len(self.style_kinds))
        kinds[known] = self.style_kinds[styles[known]]
        return kinds


def number_format_kind(code: str) -> NumberKind:
    """Return how a custom number format shows a number, judged by its first section.

    Text in quotes and the character after ``\\``, ``_`` or ``*`` are literals; a bracketed
    ``[h]``, ``[mm]``, ``[ss]`` … is an elapsed time; any other bracket (a colour, a locale, a
    condition) is skipped; outside brackets a ``d``, ``m``, ``h``, ``y`` or ``s`` (either case)
    makes a date or time, and so does ``AM/PM`` or ``A/P``.
    """
    literal_next = in_quotes = after_a = False
    bracket_depth = 0
    elapsed = False
    previous = " "
    for char in code:
        if literal_next:
            literal_next = False
        elif in_quotes:
            in_quotes = char != '"'
        elif char in "\\_*":
            literal_next = True
        elif char == '"':
            in_quotes = True
        elif char == ";":
            return NumberKind.NUMBER
        elif char == "[":
            bracket_depth += 1
        elif char == "]":
            if bracket_depth == 1 and elapsed:
                return NumberKind.DURATION
            bracket_depth = max(bracket_depth - 1, 0)
        elif bracket_depth == 0 and char in ("pmPM/" if after_a else "dmhysDMHYS"):
            return NumberKind.DATETIME
        elif bracket_depth == 0 and not after_a and char in "aA":
            after_a = True
        elif not (elapsed and char.lower() == previous.lower()):
            elapsed = previous == "[" and char in "mhsMHS"
        previous = char
    return NumberKind.NUMBER


def serial_value(number: float, kind: NumberKind, date1904: bool) -> CellValue:
    """Return a number shown in a date, time or duration format as python-calamine does.

    Times are rounded to the millisecond. A duration is a ``timedelta``; a serial below 1 is
    a ``time`` of day; a whole serial a ``date``; any other a ``datetime``. A serial beyond
    9999-12-31, or below ``_FIRST_TIME_SERIAL``, stays a ``float``; NaN is the epoch
    (1899-12-30) or a zero duration. Where python-calamine
    fails (a duration beyond 999,999,999 days, a serial below about -1.07e11 whose
    milliseconds leave 64 bits), this raises ``OverflowError``.
    """
    shifted = number + _DAYS_1904 if date1904 and kind is NumberKind.DATETIME else number
    days = shifted + 1 if kind is NumberKind.DATETIME and shifted < _LEAP_BUG_SERIAL else shifted
    if math.isnan(number):
        return dt.timedelta(0) if kind is NumberKind.DURATION else _EPOCH
    scaled = days * _MS_PER_DAY
    if scaled <= -_MILLISECONDS_LIMIT:
        raise OverflowError(f"the serial {number!r} is no date, time or duration")
    if kind is NumberKind.DURATION:
        return dt.timedelta(milliseconds=math.floor(scaled + 0.5))
    if scaled >= _MILLISECONDS_LIMIT:
        return number
    milliseconds = math.floor(scaled + 0.5)
    if number < 1:
        if shifted < _FIRST_TIME_SERIAL:
            return number
        return (dt.datetime.min + dt.timedelta(milliseconds=milliseconds % _MS_PER_DAY)).time()
    try:
        moment = _EPOCH + dt.timedelta(milliseconds=milliseconds)
    except OverflowError:
        return number
    if moment.time() == dt.time():
        return moment.date()
    return moment


def read_facts(archive: zipfile.ZipFile) -> WorkbookFacts:
    """Return the shared strings, style kinds and date system of an open xlsx archive."""
    parts = _workbook_parts(archive)
    strings = parts.get("sharedStrings", "xl/sharedStrings.xml")
    styles = parts.get("styles", "xl/styles.xml")
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    return WorkbookFacts(
        shared_strings=_shared_strings(archive, strings),
        style_kinds=_style_kinds(archive, styles),
        date1904=_DATE_SYSTEM.search(workbook) is not None,
    )


def _attribute(tag: str, name: str) -> str | None:
    match = re.search(r"(?:^|\s)" + re.escape(name) + r'="([^"]*)"', tag)
    return unescape(match.group(1)) if match else None


def _workbook_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Return the archive member of each workbook part, by the last word of its type."""
    try:
        relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError:
        return {}
    parts = {}
    for tag in _RELATIONSHIP.findall(relations):
        kind, target = _attribute(tag, "Type"), _attribute(tag, "Target")
        if kind and target:
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[kind.rsplit("/", 1)[-1]] = str(PurePosixPath(member))
    return parts


def run_text(raw: str, *, preserve: bool = False) -> str:
    """Return the text of one ``<t>`` element as python-calamine reads it: entities decoded,
    XML whitespace trimmed from both ends unless the element says ``xml:space="preserve"``,
    then the ``_xHHHH_`` escapes of characters XML cannot hold decoded."""
    text = unescape(raw) if "&" in raw else raw
    if not preserve:
        text = text.strip(XML_WHITESPACE)
    return _ESCAPED_CHARACTER.sub(_escaped_character, text) if "_x" in text else text


def _escaped_character(match: re.Match[str]) -> str:
    """Return the character of one ``_xHHHH_`` escape; a lone surrogate stays as written."""
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def rich_text(body: str) -> str:
    """Return a string item's text (``<si>`` or ``<is>`` content): its runs, each read with
    ``run_text``, joined; phonetic guides (``<rPh>``) and comments left out, CDATA sections
    read as text."""
    if "<!" in body:
        body = _CDATA.sub(lambda match: escape(match.group(1), quote=False), _COMMENT.sub("", body))
    plain = _PLAIN_STRING.fullmatch(body)
    if plain is not None:
        return run_text(plain.group(1))
    return "".join(
        run_text(raw, preserve="preserve" in attributes)
        for attributes, raw in _TEXT_RUN.findall(_PHONETIC.sub("", body))
    )


def _shared_strings(archive: zipfile.ZipFile, member: str) -> npt.NDArray[np.object_]:
    """Return every shared string in order, read in blocks of whole ``<si>`` entries."""
    texts: list[str] = []
    if member not in archive.NameToInfo:
        return np.array(texts, dtype=object)
    with archive.open(member) as stream:
        carry = b""
        while block := stream.read(_BLOCK_SIZE):
            buffer = carry + block
            ends = [match.end() for match in _STRING_END.finditer(buffer)]
            cut = ends[-1] if ends else 0
            texts.extend(_entries(buffer[:cut].decode("utf-8")))
            carry = buffer[cut:]
        texts.extend(_entries(carry.decode("utf-8")))
    strings = np.empty(len(texts), dtype=object)
    strings[:] = texts
    return strings


def _entries(xml: str) -> list[str]:
    return [rich_text(match.group(1) or "") for match in _STRING.finditer(xml)]


def _style_kinds(archive: zipfile.ZipFile, member: str) -> npt.NDArray[np.int8]:
    """Return the ``NumberKind`` of each cell style: custom formats first, then built-in ids."""
    if member not in archive.NameToInfo:
        return np.zeros(0, dtype=np.int8)
    styles = archive.read(member).decode("utf-8")
    custom = {}
    for tag in _NUMBER_FORMAT.findall(styles):
        identifier, code = _attribute(tag, "numFmtId"), _attribute(tag, "formatCode")
        if identifier is not None and identifier.isdigit() and code is not None:
            custom[int(identifier)] = number_format_kind(code)
    cell_formats = _CELL_FORMATS.search(styles)
    entries = _FORMAT_ENTRY.findall(cell_formats.group(1)) if cell_formats else []
    kinds = np.zeros(len(entries), dtype=np.int8)
    for position, tag in enumerate(entries):
        identifier = _attribute(tag, "numFmtId") or "0"
        number = int(identifier) if identifier.isdigit() else 0
        if number in custom:
            kinds[position] = custom[number]
        elif number in _DATE_FORMAT_IDS:
            kinds[position] = NumberKind.DATETIME
        elif number in _DURATION_FORMAT_IDS:
            kinds[position] = NumberKind.DURATION
    return kinds
