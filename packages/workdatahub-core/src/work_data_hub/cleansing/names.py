"""Customer (company) names: one spelling per company, so that names can be matched and enriched."""

from __future__ import annotations

import re

import pandas as pd

from work_data_hub.cleansing.text import halfwidth, map_distinct

LEGAL_ENTITY_TERMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团",
    "公司",
    "有限合伙",
    "合伙企业",
    "事务所",
)
"""Words naming a legal-entity type: a trailing bracket containing one of them is kept."""

STATUS_MARKERS = (
    "已转出",
    "转出",
    "已注销",
    "注销",
    "清算中",
    "已清算",
    "清算",
    "已终止",
    "终止",
    "已撤销",
    "撤销",
    "已吊销",
    "吊销",
)
"""Account-status notes people append to names; they are not part of the company's name."""

NAME_SUFFIXES = ("企业年金", "职业年金", "养老金", "养老", "企年", "职年", "年金")
"""Plan notes appended after a hyphen or underscore (``XX公司-养老``)."""

NULL_NAMES = ("NULL", "NONE", "NAN", "N/A", "空白", "无", "-", "--", "/")
"""Placeholders meaning "no name", compared after upper-casing."""

_QUOTES = re.compile("[\"'`“”‘’「」『』]")
_WHITESPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans(
    {"[": "(", "【": "(", "〔": "(", "〖": "(", "]": ")", "】": ")", "〕": ")", "〗": ")"}
)


def _alternatives(words: tuple[str, ...]) -> str:
    """Return a regex alternation of ``words``, longest first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_STRIP_RULES = (
    rf"^(?:{_alternatives(NULL_NAMES)})$",
    rf"\((?:{_alternatives(STATUS_MARKERS)})\)",
    rf"[-_]*(?:{_alternatives(STATUS_MARKERS)})$",
    rf"[-_]+(?:{_alternatives(NAME_SUFFIXES)})$",
    rf"\((?![^()]*(?:{_alternatives(LEGAL_ENTITY_TERMS)}))[^()]*\)$",
    r"^原",
    r"^[-_]+|[-_]+$",
)
_STRIP_PATTERN = re.compile("|".join(f"(?:{rule})" for rule in _STRIP_RULES))


def normalise_company_name(values: pd.Series) -> pd.Series:
    """Return names normalised for matching; blank names and placeholders become missing.

    Rules (annuity domain, rule 11): full-width → half-width, upper-case, remove all whitespace
    and decorative quotes, unify brackets to ``()``, then repeatedly strip status markers
    (``(已转出)``, ``…注销``), plan suffixes (``-养老``), a trailing bracket that does not name a
    legal-entity type (``XX公司(北京)`` → ``XX公司``, ``XX(集团)`` kept) and a leading ``原``;
    ``null``/``空白``/``-`` and empty results are missing. Idempotent. Each distinct name is
    normalised once.
    """
    return map_distinct(
        values,
        lambda distinct: pd.Series(
            [normalise_name(value) for value in distinct], index=distinct.index, dtype="str"
        ),
    )


def normalise_name(value: object) -> str | None:
    """Return one normalised name (see ``normalise_company_name``), None when there is none."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    name = halfwidth(str(value)).upper()
    name = _QUOTES.sub("", _WHITESPACE.sub("", name)).translate(_BRACKETS)
    previous = None
    while name != previous:
        previous, name = name, _STRIP_PATTERN.sub("", name)
    return name or None
