"""Turn the sample rows into the workbook an Excel domain reads (CSV domains keep the text file).

Cells that look like plain numbers become numbers, as in a real workbook; the rest stay text.
Runs inside the generated package folder.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""
"""The answers, filled in by cookiecutter when it renders this hook."""

PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def cell(text: str) -> int | float | str | None:
    """Return a CSV field as a workbook cell: empty → None, ``12`` → 12, ``1.5`` → 1.5."""
    if text == "":
        return None
    if PLAIN_NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def write_sample_workbook(rows_file: Path, sheet: str) -> Path:
    """Write ``rows_file`` as a workbook next to it (same name, ``.xlsx``); remove the CSV."""
    try:
        import pandas as pd
        from work_data_hub.io.sample_data import write_workbook
    except ImportError as error:
        sys.exit(
            f"error: the Excel sample needs workdatahub-core ({error}); run cookiecutter from "
            "the WorkDataHub environment: uv run cookiecutter templates/domain"
        )
    with rows_file.open(encoding="utf-8", newline="") as handle:
        header, *records = list(csv.reader(handle))
    frame = pd.DataFrame([[cell(text) for text in record] for record in records], dtype=object)
    frame.columns = header
    workbook = write_workbook(rows_file.with_suffix(".xlsx"), {sheet: frame})
    rows_file.unlink()
    return workbook


def main(answers_json: str = ANSWERS_JSON) -> None:
    """Write the sample workbook of an Excel domain; a CSV domain keeps its sample as it is."""
    answers: dict[str, Any] = json.loads(answers_json)
    if answers["source_type"] == "excel":
        rows_file = Path("tests") / "data" / f"{answers['domain_name']}_202411.csv"
        write_sample_workbook(rows_file, answers["sheet_name"])


if __name__ == "__main__":
    main()
