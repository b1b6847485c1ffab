"""Reusable, vectorised cleansing rules: names, money, rates, months, dates, codes, null markers.
Pure functions on Series."""

from work_data_hub.cleansing.codes import clean_code
from work_data_hub.cleansing.dates import format_date, parse_date
from work_data_hub.cleansing.months import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_DTYPE,
    format_month,
    parse_month,
)
from work_data_hub.cleansing.names import (
    LEGAL_ENTITY_TERMS,
    NAME_SUFFIXES,
    NULL_NAMES,
    STATUS_MARKERS,
    normalise_company_name,
    normalise_name,
)
from work_data_hub.cleansing.nulls import NULL_MARKERS, blank_null_markers
from work_data_hub.cleansing.numbers import clean_money, clean_rate
from work_data_hub.cleansing.text import (
    as_text,
    blank_to_na,
    halfwidth,
    is_blank,
    map_distinct,
    normalise_header,
    replace_where_found,
    to_halfwidth,
)

__all__ = [
    "LEGAL_ENTITY_TERMS",
    "MAX_YEAR",
    "MIN_YEAR",
    "MONTH_DTYPE",
    "NAME_SUFFIXES",
    "NULL_MARKERS",
    "NULL_NAMES",
    "STATUS_MARKERS",
    "as_text",
    "blank_null_markers",
    "blank_to_na",
    "clean_code",
    "clean_money",
    "clean_rate",
    "format_date",
    "format_month",
    "halfwidth",
    "is_blank",
    "map_distinct",
    "normalise_company_name",
    "normalise_header",
    "normalise_name",
    "parse_date",
    "parse_month",
    "replace_where_found",
    "to_halfwidth",
]
