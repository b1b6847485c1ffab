"""Seeded building blocks for a domain's sample sheets (its ``sample`` generator).

The public face of ``work_data_hub.domain.sampling``: every helper is pure and draws only
from the ``numpy.random.Generator`` it is given, so one seed always gives one sheet.
"""

from work_data_hub.domain.sampling import *  # noqa: F403
from work_data_hub.domain.sampling import __all__ as __all__
