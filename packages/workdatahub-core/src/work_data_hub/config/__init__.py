"""Configuration: one validated ``Settings`` object loaded from the environment and ``.env``.

``from work_data_hub.config import settings`` works lazily: importing this package never reads
the environment; the first attribute read on ``settings`` calls ``get_settings()`` (which may
raise). Import from the implementation module with ``from work_data_hub.config.settings import
...``: the package attribute ``settings`` is the lazy object, not that module.
"""

from __future__ import annotations

from typing import Any, cast

from work_data_hub.config.masking import mask_secrets
from work_data_hub.config.settings import Environment, Settings, get_settings

__all__ = ["Environment", "Settings", "get_settings", "mask_secrets", "settings"]


class _LazySettings:
    """Stands in for ``get_settings()`` until an attribute is read, then forwards to it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(get_settings(), name)

    def __repr__(self) -> str:
        return repr(get_settings())


settings: Settings = cast(Settings, _LazySettings())
