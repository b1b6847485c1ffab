"""WorkDataHub domain ``annuity_income``: sheet 收入明细 of the monthly annuity workbook."""

from workdatahub_annuity_income.declarations import COLUMNS, DEFINITION, STEPS
from workdatahub_annuity_income.sample import generate

__all__ = ["COLUMNS", "DEFINITION", "STEPS", "generate"]
