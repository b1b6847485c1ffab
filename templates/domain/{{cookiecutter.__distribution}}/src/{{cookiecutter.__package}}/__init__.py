"""The WorkDataHub domain ``{{ cookiecutter.domain_name }}``."""

from {{ cookiecutter.__package }}.declarations import COLUMNS, DEFINITION, STEPS

__all__ = ["COLUMNS", "DEFINITION", "STEPS"]
