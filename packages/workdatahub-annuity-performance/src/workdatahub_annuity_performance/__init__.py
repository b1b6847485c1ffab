"""WorkDataHub domain ``annuity_performance``: sheet 规模明细 of the monthly annuity workbook."""

from workdatahub_annuity_performance.declarations import COLUMNS, DEFINITION, STEPS
from workdatahub_annuity_performance.sample import generate

__all__ = ["COLUMNS", "DEFINITION", "STEPS", "generate"]
