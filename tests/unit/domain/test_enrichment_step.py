"""Company-id enrichment with an injected service (a fake here): the clean-architecture demo."""

from collections.abc import MutableMapping, Sequence
from typing import Any

import pandas as pd
import pytest
from work_data_hub.domain.enrichment import (
    EnrichCompanyId,
    assign_company_ids,
)
from work_data_hub.domain.pipelines import Pipeline, PipelineContext, StepSkipped
from work_data_hub.domain.services import EnrichmentProtocol

pytestmark = pytest.mark.unit


class FakeEnrichment:
    """Answers ``ID:<name>``, prefers ids already in the data, records every batch."""

    def __init__(self, error: Exception | None = None) -> None:
        self.batches: list[tuple[list[str | None], list[str | None], list[str | None]]] = []
        self.error = error

    def enrich_many(
        self,
        names: Sequence[str | None],
        plan_codes: Sequence[str | None] | None = None,
        existing_ids: Sequence[str | None] | None = None,
    ) -> list[str | None]:
        if self.error is not None:
            raise self.error
        codes = list(plan_codes or [None] * len(names))
        existing = list(existing_ids or [None] * len(names))
        self.batches.append((list(names), codes, existing))
        return [e or (f"ID:{n}" if n else None) for n, e in zip(names, existing, strict=True)]


def _service(fake: FakeEnrichment) -> EnrichmentProtocol:
    return fake


def test_distinct_names_go_to_the_service_in_one_batch() -> None:
    fake = FakeEnrichment()
    data = pd.DataFrame(
        {
            "客户名称": ["A公司", "A公司", "B公司", None, "A公司"],
            "计划代码": ["P1", "P1", "P2", "P3", "P9"],
        }
    )

    enriched = assign_company_ids(
        data, _service(fake), name_column="客户名称", plan_code_column="计划代码"
    )

    assert enriched["company_id"].tolist()[:3] == ["ID:A公司", "ID:A公司", "ID:B公司"]
    assert pd.isna(enriched["company_id"].iloc[3])
    assert enriched["company_id"].iloc[4] == "ID:A公司"
    [(names, codes, _)] = fake.batches
    assert names == ["A公司", "B公司", None, "A公司"]
    assert codes == ["P1", "P2", "P3", "P9"]
    assert "company_id" not in data.columns


def test_ids_already_in_the_data_are_offered_to_the_service() -> None:
    fake = FakeEnrichment()
    data = pd.DataFrame({"客户名称": ["A", "A"], "company_id": ["C123", None]})

    enriched = assign_company_ids(data, _service(fake), name_column="客户名称")

    assert enriched["company_id"].tolist() == ["C123", "ID:A"]
    assert fake.batches[0][2] == ["C123", None]


def test_the_step_skips_when_the_service_is_down(
    context: PipelineContext, log_events: list[MutableMapping[str, Any]]
) -> None:
    down = FakeEnrichment(ConnectionRefusedError("enrichment service refused the connection"))
    step = EnrichCompanyId("客户名称", _service(down))
    data = pd.DataFrame({"客户名称": ["A"]})

    outcome = step.execute(data, context)
    result = Pipeline("p", [step]).run(data, context)

    assert isinstance(outcome, StepSkipped)
    assert "ConnectionRefusedError" in outcome.reason
    assert result.success
    assert "company_id" not in result.output_data.columns
    assert [e["step"] for e in log_events if e["event"] == "step_skipped"] == ["enrich_company_id"]


def test_a_required_step_and_a_bug_in_the_service_both_fail(context: PipelineContext) -> None:
    data = pd.DataFrame({"客户名称": ["A"]})
    required = EnrichCompanyId("客户名称", _service(FakeEnrichment(TimeoutError())), optional=False)
    buggy = EnrichCompanyId("客户名称", _service(FakeEnrichment(ValueError("bug"))))

    with pytest.raises(TimeoutError):
        required.execute(data, context)
    with pytest.raises(ValueError, match="bug"):
        buggy.execute(data, context)


def test_a_service_answering_the_wrong_number_of_ids_is_an_error(context: PipelineContext) -> None:
    class Short(FakeEnrichment):
        def enrich_many(
            self,
            names: Sequence[str | None],
            plan_codes: Sequence[str | None] | None = None,
            existing_ids: Sequence[str | None] | None = None,
        ) -> list[str | None]:
            return []

    with pytest.raises(ValueError, match="returned 0 ids for 1 names"):
        EnrichCompanyId("客户名称", _service(Short())).execute(
            pd.DataFrame({"客户名称": ["A"]}), context
        )
