"""Refuse answers that would generate a broken domain package, naming the answer to change."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from typing import Any

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""
"""The answers, filled in by cookiecutter when it renders this hook."""

SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_IDENTIFIER = 40
"""Keeps every derived name (index names, ``<domain>_job``) within PostgreSQL's 63 characters."""
MAX_TITLE_WIDTH = 50
"""Columns on screen (a CJK character takes two), so generated lines stay within 100."""
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
TEXT_FORBIDDEN = ('"', "\\", "\n", "\r")
"""Characters that would break the Python string literals the answers are written into."""
WRITE_MODES = ("append", "upsert", "delete_insert", "replace")
KEYED_MODES = ("upsert", "delete_insert")
RESERVED_PREFIX = "wdh_"
RESERVED_DOMAINS = ("core",)
"""Names the core's own Alembic branch already uses."""


def snake_case_problem(answer: str, value: str) -> str | None:
    """Return why ``value`` is no valid snake_case identifier, or None when it is one."""
    if not SNAKE_CASE.match(value):
        return (
            f"{answer} {value!r} is not snake_case: use lower-case letters, digits and "
            "underscores, starting with a letter (e.g. account_balances)"
        )
    if len(value) > MAX_IDENTIFIER:
        return f"{answer} {value!r} is longer than {MAX_IDENTIFIER} characters"
    return None


def text_problem(answer: str, value: str) -> str | None:
    """Return why ``value`` cannot go into a Python string, or None when it can."""
    if any(character in value for character in TEXT_FORBIDDEN):
        return f"{answer} {value!r} must not contain double quotes, backslashes or line breaks"
    return None


def title_problem(title: str) -> str | None:
    """Return what is wrong with the human title, or None."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in title)
    if not title.strip():
        return "title is empty"
    if width > MAX_TITLE_WIDTH:
        return f"title {title!r} is too long: at most {MAX_TITLE_WIDTH} columns wide"
    return text_problem("title", title)


def key_problems(keys_answer: str, write_mode: str, starter_columns: list[str]) -> list[str]:
    """Return what is wrong with the comma-separated key columns for ``write_mode``."""
    keys = [key.strip() for key in keys_answer.split(",") if key.strip()]
    problems = [problem for key in keys if (problem := text_problem("key", key))]
    problems += [
        f"key {key!r}: names starting with {RESERVED_PREFIX!r} are reserved for lineage columns"
        for key in keys
        if key.startswith(RESERVED_PREFIX)
    ]
    if len(set(keys)) != len(keys):
        problems.append(f"keys {keys_answer!r} name a column twice")
    if write_mode in KEYED_MODES and not keys:
        problems.append(
            f"write_mode {write_mode} needs keys (e.g. month,account): the refresh key of "
            "delete_insert, the conflict key of upsert"
        )
    identifying = {"account", *(key for key in keys if key not in starter_columns)}
    if write_mode == "upsert" and keys and not identifying & set(keys):
        problems.append(
            f"write_mode upsert needs keys that identify one row; {keys_answer!r} repeat in the "
            "sample rows: include account or a new column (e.g. month,account)"
        )
    return problems


def problems(answers: dict[str, Any]) -> list[str]:
    """Return every problem with the answers, in the order the questions are asked."""
    found = [
        snake_case_problem("domain_name", answers["domain_name"]),
        f"domain_name {answers['domain_name']!r} is reserved for the core's migrations"
        if answers["domain_name"] in RESERVED_DOMAINS
        else None,
        title_problem(answers["title"]),
        None
        if answers["source_type"] in ("excel", "csv")
        else f"source_type {answers['source_type']!r} is neither excel nor csv",
        snake_case_problem("target_table", answers["target_table"]),
        None
        if answers["write_mode"] in WRITE_MODES
        else f"write_mode {answers['write_mode']!r} is not one of {', '.join(WRITE_MODES)}",
        text_problem("author", answers["author"]),
    ]
    if answers["source_type"] == "excel":
        sheet = answers["sheet_name"]
        found.append(text_problem("sheet_name", sheet))
        if not sheet.strip() or len(sheet) > MAX_SHEET_NAME or SHEET_NAME_FORBIDDEN & set(sheet):
            found.append(
                f"sheet_name {sheet!r} is no Excel sheet name: 1 to {MAX_SHEET_NAME} characters, "
                "none of [ ] : * ? / \\"
            )
    issues = [problem for problem in found if problem]
    return issues + key_problems(
        answers["keys"], answers["write_mode"], answers["_starter_columns"]
    )


def main(answers_json: str = ANSWERS_JSON) -> int:
    """Print every problem with the answers to stderr; return 1 when there is one."""
    issues = problems(json.loads(answers_json))
    for issue in issues:
        print(f"error: {issue}", file=sys.stderr)
    if issues:
        print("Nothing was generated; run cookiecutter again with other answers.", file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
