"""The WorkDataHub domain ``sample_csv``."""

from workdatahub_sample_csv.declarations import COLUMNS, DEFINITION, STEPS

__all__ = ["COLUMNS", "DEFINITION", "STEPS"]
