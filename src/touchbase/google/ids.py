"""Client-chosen event ids: base32hex (a-v, 0-9), so a retried insert can never duplicate."""

from __future__ import annotations

import re
import secrets

_ALPHABET = "0123456789abcdefghijklmnopqrstuv"
_VALID = re.compile(r"^[a-v0-9]{5,1024}$")


def new_event_id() -> str:
    """A fresh random id (130 bits: 26 base32hex characters)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(26))


def is_valid_event_id(event_id: str) -> bool:
    """Whether Google accepts `event_id` as a client-chosen id."""
    return _VALID.fullmatch(event_id) is not None
