"""Business rules no generic step covers: plain, vectorised pandas functions, wired as steps.

A rule that needs data from outside (a lookup, a cache) receives it as an argument: declare
``steps`` in ``plugin.py`` as a function of the run's ``DomainServices`` that builds the steps.
Nothing here reads files or databases.
"""

from __future__ import annotations

import pandas as pd
from work_data_hub.plugins import DeriveColumn, TransformStep


def customer_or_account(data: pd.DataFrame) -> pd.Series:
    """Return ``customer_name``, with the account code where the file gave no name."""
    return data["customer_name"].fillna(data["account"])


RULES: tuple[TransformStep, ...] = (
    DeriveColumn("customer_name", func=customer_or_account, name="customer_or_account"),
)
"""The domain's own rules, run in order after ``declarations.STEPS``."""
