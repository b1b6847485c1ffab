"""Which plugins may load and how failures are treated, read from the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from work_data_hub.plugins.errors import PluginLoadError

STRICT_VARIABLE = "WDH_STRICT_PLUGINS"
ALLOW_VARIABLE = "WDH_PLUGINS_ALLOW"
BLOCK_VARIABLE = "WDH_PLUGINS_BLOCK"

_TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE_WORDS = frozenset({"", "0", "false", "f", "no", "n", "off"})


def canonical_name(name: str) -> str:
    """Return ``name`` as package names compare: case-insensitive, ``-``, ``_``, ``.`` alike."""
    return re.sub(r"[-_.]+", "-", name).strip().lower()


def _names(value: str | None) -> frozenset[str]:
    return frozenset(canonical_name(part) for part in (value or "").split(",") if part.strip())


def _flag(env: Mapping[str, str], variable: str) -> bool:
    word = env.get(variable, "").strip().lower()
    if word not in _TRUE_WORDS | _FALSE_WORDS:
        raise PluginLoadError(f"{variable} must be 1 or 0 (true/false), got {env[variable]!r}")
    return word in _TRUE_WORDS


@dataclass(frozen=True)
class PluginPolicy:
    """Strictness plus allow and block lists of canonical distribution, entry-point or domain names.

    An empty allow list allows everything; the block list wins over the allow list.
    """

    strict: bool = False
    allow: frozenset[str] = frozenset()
    block: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PluginPolicy:
        """Read ``WDH_STRICT_PLUGINS`` and the comma-separated allow and block lists."""
        return cls(
            strict=_flag(env, STRICT_VARIABLE),
            allow=_names(env.get(ALLOW_VARIABLE)),
            block=_names(env.get(BLOCK_VARIABLE)),
        )

    def is_allowed(self, *names: str) -> bool:
        """Return True when no name is blocked and the allow list is empty or holds one of them."""
        given = {canonical_name(name) for name in names if name}
        return not given & self.block and (not self.allow or bool(given & self.allow))
