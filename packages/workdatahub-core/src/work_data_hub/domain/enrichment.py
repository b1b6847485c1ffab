"""Company-id enrichment as a pure step: the I/O service arrives as an argument.

The step never knows where ids come from (overrides, a cache table, a lookup service): it
hands distinct (name, plan code, existing id) combinations to an ``EnrichmentProtocol`` in one
batch and writes the answers back. Tests pass a fake service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from work_data_hub.cleansing.text import as_text, blank_to_na
from work_data_hub.domain.pipelines.retry import is_transient
from work_data_hub.domain.pipelines.types import PipelineContext, StepSkipped
from work_data_hub.domain.services import EnrichmentProtocol
from work_data_hub.domain.steps.rejections import require_columns

_KEYS = ("name", "plan_code", "existing")


def _optional_text(values: pd.Series) -> pd.Series:
    """Return values as stripped text, missing where missing or blank."""
    return blank_to_na(as_text(values).str.strip())


def assign_company_ids(
    data: pd.DataFrame,
    enrichment: EnrichmentProtocol,
    *,
    name_column: str,
    target: str = "company_id",
    plan_code_column: str | None = None,
) -> pd.DataFrame:
    """Return ``data`` with ``target`` filled by one ``enrich_many`` call on distinct inputs.

    Each distinct (name, plan code, existing id) combination is sent once, where the existing
    id is the current value of ``target`` when that column exists. Rows the service has no
    answer for get a missing id. ``data`` is not modified.
    """
    columns = [name_column] + ([plan_code_column] if plan_code_column else [])
    require_columns(data, columns, "assign_company_ids")
    missing = pd.Series(pd.NA, index=data.index, dtype="str")
    keys = pd.DataFrame(
        {
            "name": _optional_text(data[name_column]),
            "plan_code": _optional_text(data[plan_code_column]) if plan_code_column else missing,
            "existing": _optional_text(data[target]) if target in data.columns else missing,
        },
        index=data.index,
    )
    group = keys.groupby(list(_KEYS), dropna=False, sort=False).ngroup().to_numpy()
    distinct = keys.drop_duplicates()
    ids = enrichment.enrich_many(
        _none_for_missing(distinct["name"]),
        _none_for_missing(distinct["plan_code"]),
        _none_for_missing(distinct["existing"]),
    )
    if len(ids) != len(distinct):
        raise ValueError(f"enrichment returned {len(ids)} ids for {len(distinct)} names")
    answers = pd.array(ids, dtype="str")
    return data.assign(**{target: pd.Series(answers[group], index=data.index, dtype="str")})


def _none_for_missing(values: pd.Series) -> list[str | None]:
    """Return a column of optional text as a list with None for missing values."""
    missing = values.isna().tolist()
    return [
        None if absent else str(value)
        for value, absent in zip(values.tolist(), missing, strict=True)
    ]


@dataclass(frozen=True)
class EnrichCompanyId:
    """Resolve ``target`` (company id) from normalised names through an injected service.

    With ``optional=True`` (the default) a transient service failure (connection refused,
    timeout, HTTP 429/503) returns ``StepSkipped``: the pipeline logs a warning and continues
    without ids. Other errors propagate.
    """

    name_column: str
    enrichment: EnrichmentProtocol
    target: str = "company_id"
    plan_code_column: str | None = None
    optional: bool = True
    name: str = "enrich_company_id"
    rows_independent: ClassVar[bool] = True

    def execute(self, data: pd.DataFrame, context: PipelineContext) -> pd.DataFrame | StepSkipped:
        """Return ``data`` with company ids, or ``StepSkipped`` when the service is down."""
        try:
            return assign_company_ids(
                data,
                self.enrichment,
                name_column=self.name_column,
                target=self.target,
                plan_code_column=self.plan_code_column,
            )
        except Exception as error:
            if self.optional and is_transient(error):
                return StepSkipped(
                    f"enrichment service unavailable: {type(error).__name__}: {error}"
                )
            raise
