"""Configuration: one validated ``Settings`` object loaded from the environment and ``.env``.

``from work_data_hub.config import settings`` works lazily: importing this package never
reads the environment; the first attribute access on ``settings`` does.
"""

from typing import Any

from work_data_hub.config.settings import Environment, Settings, get_settings

__all__ = ["Environment", "Settings", "get_settings", "settings"]


def __getattr__(name: str) -> Any:
    if name == "settings":
        return get_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
