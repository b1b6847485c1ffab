"""The annuity business's reference tables, shared by every sheet of the monthly workbook."""

from __future__ import annotations

import csv
from importlib.resources import files

MAPPINGS = files(__package__).joinpath("mappings")

BUSINESS_TYPES = ("企年受托", "企年投资", "职年受托", "职年投资")
"""The business lines of 业务类型."""
OCCUPATIONAL = {"业务类型": ("职年受托", "职年投资")}
"""The condition that picks occupational (职年) business."""
PLAN_CODE_TYPOS = {"1P0290": "P0290", "1P0807": "P0807"}
DEFAULT_PLAN_CODES = {"集合计划": "AN001", "单一计划": "AN002"}
"""Plan code of a row without one, by 计划类型."""
PRODUCT_LINES = {"企年投资": "PL201", "企年受托": "PL202", "职年投资": "PL203", "职年受托": "PL204"}
"""Product line code by 业务类型; any other business line is PL301."""
DEFAULT_PORTFOLIOS = {"集合计划": "QTAN001", "单一计划": "QTAN002"}
"""Portfolio code of a row without one, by 计划类型; occupational business gets QTAN003."""
BRANCHES = {
    row["branch_name"]: row["branch_code"]
    for row in csv.DictReader(MAPPINGS.joinpath("branches.csv").read_text("utf-8").splitlines())
}
"""Branch name → branch code, from ``mappings/branches.csv``; unknown names are G00."""
