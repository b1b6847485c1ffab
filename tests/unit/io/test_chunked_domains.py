"""Every installed domain gives the same rows, rejections and enrichment counts when its steps
see a part in chunks of rows as when they see it whole."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from work_data_hub.domain.services import DomainServices
from work_data_hub.io.enrichment import CompanyIdResolver
from work_data_hub.io.runs import parts_transform
from work_data_hub.plugins.registry import get_registry
from work_data_hub.testing.domain_runner import TransformedFile, transform_file, write_sample_file

pytestmark = pytest.mark.unit

RUN_AT = dt.datetime(2024, 12, 15, tzinfo=dt.UTC)
DOMAINS = sorted(get_registry().domains)


def _transform(
    domain: str, path: Path, chunk_rows: int | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[TransformedFile, dict[str, int]]:
    monkeypatch.setattr(parts_transform, "TRANSFORM_CHUNK_ROWS", chunk_rows)
    resolver = CompanyIdResolver(hmac_key=b"chunk-test-key")
    services = DomainServices(enrichment=resolver)
    return transform_file(domain, path, services=services, run_at=RUN_AT), resolver.source_counts


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_domain_in_chunks_equals_the_domain_whole(
    domain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered = get_registry().get(domain)
    source = registered.definition.source
    sample = registered.sample("202411", 700, 7)
    assert sample is not None
    path = write_sample_file(
        tmp_path / f"sample.{'csv' if source.file_type == 'csv' else 'xlsx'}",
        sample,
        file_type=source.file_type,
        sheet=source.sheet_name_for("Sheet1"),
    )

    whole, whole_counts = _transform(domain, path, None, monkeypatch)
    chunked, chunked_counts = _transform(domain, path, 97, monkeypatch)

    assert len(whole.valid) > 0
    pd.testing.assert_frame_equal(chunked.valid, whole.valid)
    pd.testing.assert_frame_equal(chunked.rejected, whole.rejected)
    assert chunked_counts == whole_counts
