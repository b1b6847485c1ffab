"""Steps declared as data: the registry and build_steps."""

import pandas as pd
import pytest
from work_data_hub.domain.columns import Column
from work_data_hub.domain.pipelines import Pipeline, PipelineContext, TransformStep
from work_data_hub.domain.steps import (
    GENERIC_STEPS,
    FillDefault,
    MapValues,
    RenameColumns,
    StepSpecError,
    ValidateSchema,
    build_steps,
)

pytestmark = pytest.mark.unit


def test_every_registered_step_is_a_transform_step_with_a_default_name() -> None:
    for kind, step_type in GENERIC_STEPS.items():
        assert isinstance(step_type.__dataclass_fields__["name"].default, str), kind  # type: ignore[attr-defined]


def test_specs_become_configured_steps_in_order() -> None:
    steps = build_steps(
        [
            {"step": "rename", "mapping": {"机构": "机构名称"}},
            {
                "step": "map_values",
                "column": "机构名称",
                "mapping": {"新疆": "G23"},
                "default": "G00",
            },
            {
                "step": "fill_default",
                "column": "计划代码",
                "value": "AN001",
                "when": {"计划类型": "集合计划"},
            },
            {"step": "validate_schema", "columns": [Column("计划代码", nullable=False)]},
        ]
    )

    assert steps[0] == RenameColumns({"机构": "机构名称"})
    assert steps[1] == MapValues("机构名称", {"新疆": "G23"}, default="G00")
    assert steps[2] == FillDefault("计划代码", "AN001", when={"计划类型": "集合计划"})
    assert isinstance(steps[3], ValidateSchema)
    assert all(isinstance(step, TransformStep) for step in steps)


def test_built_steps_run_as_a_pipeline(context: PipelineContext) -> None:
    steps = build_steps(
        [
            {"step": "rename", "mapping": {"计划号": "计划代码"}},
            {"step": "replace_values", "column": "计划代码", "replacements": {"1P0290": "P0290"}},
            {"step": "drop_columns", "columns": ["备注"]},
        ]
    )
    data = pd.DataFrame({"计划号": ["1P0290"], "备注": ["x"]})

    result = Pipeline("p", steps).run(data, context)

    assert result.output_data.to_dict("list") == {"计划代码": ["P0290"]}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"mapping": {}}, "step spec 0: a step spec needs a 'step' name"),
        (
            {"step": "renam"},
            "step spec 0: unknown step 'renam'; known steps: blank_null_markers, clean_code",
        ),
        ({"step": "rename", "mapping": {}, "colour": "red"}, "step spec 0: step 'rename': "),
        ({"step": "drop_columns", "columns": ["wdh_source_row"]}, "lineage columns"),
    ],
)
def test_bad_specs_are_reported_with_their_position(spec: dict[str, object], message: str) -> None:
    with pytest.raises(StepSpecError) as raised:
        build_steps([spec])

    assert message in str(raised.value)
