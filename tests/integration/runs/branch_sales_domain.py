"""The worked example of docs/adding-a-domain.md: a branch sales workbook, declarations only.

The part between the markers is the documentation's code block, character for character
(``test_branch_sales_domain.py`` checks it).
"""

# --- begin worked example ---
from work_data_hub.plugins import NULL_MARKERS, Column, Domain, DomainDefinition, SourceSpec

BRANCH_SALES = Domain(
    definition=DomainDefinition(
        name="branch_sales",
        table="branch_sales",
        source=SourceSpec(
            patterns=("网点销售_*.xlsx",),
            sheet="销售明细",
            required_columns=("日期", "网点代码", "销售额"),  # the header: the row holding these
            totals_columns=("销售额",),  # the 合计 row's 销售额 must equal the rows' sum
        ),
        write_mode="upsert",
        keys=("日期", "网点代码"),  # also the row key: no two rows of a file may share it
        duplicate_keys="reject",  # both rows of a repeated key are rejected, naming each other
        null_markers=NULL_MARKERS,  # "--", "—", "N/A", "无", "不详", ... are blanks everywhere
    ),
    columns=(
        Column("日期", "date", nullable=False, description="sale date"),
        Column("网点代码", nullable=False, max_length=16, description="branch code"),
        Column("网点名称", null_markers=("待定",), description="branch name"),
        Column("销售额", "decimal", precision=18, scale=2, description="sales amount"),
        Column("完成率", "decimal", precision=9, scale=6, description="completion rate"),
    ),
    steps=(
        {"step": "parse_date", "column": "日期"},
        {"step": "clean_code", "columns": ["网点代码"], "spaces": "remove", "case": "upper"},
        {"step": "clean_money", "columns": ["销售额"]},
        {"step": "clean_rate", "columns": ["完成率"]},
    ),
)
# --- end worked example ---
