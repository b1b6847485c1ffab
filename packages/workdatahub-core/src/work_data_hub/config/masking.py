"""Hiding credentials in text: URLs with a password and ``password=...`` pairs."""

from __future__ import annotations

import re

__all__ = ["MASK", "mask_secrets"]

MASK = "***"

# scheme://user:password@host — the password runs to the last "@" before a "/" or whitespace,
# so an unencoded "@" inside the password is hidden too.
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@]*:)(?P<password>[^\s/]*)@"
)

# password=secret, PASSWORD: 'two words', "password": "x", pwd=... (libpq DSNs, query strings, JSON)
_KEY_VALUE_PASSWORD = re.compile(
    r"""(?P<head>\b(?:password|passwd|pwd)["']?\s*[=:]\s*)"""
    r"""(?P<password>'[^']*'|"[^"]*"|[^\s&;,'"]+)""",
    re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """Return ``text`` with every URL password and ``password=`` value replaced by ``***``.

    Everything else is left as it was, so a masked URL still shows scheme, user, host and database.
    """
    masked = _URL_PASSWORD.sub(lambda match: f"{match['head']}{MASK}@", text)
    return _KEY_VALUE_PASSWORD.sub(lambda match: f"{match['head']}{MASK}", masked)
