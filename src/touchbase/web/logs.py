"""What the access log may say: never a secret carried in a URL (an OAuth authorization code
or state on Google's way back, a token)."""

from __future__ import annotations

import logging
import re

_SECRET_PARAMETER = re.compile(
    r"(?<=[?&])(code|state|token|access_token|refresh_token|id_token)=[^&\s]*", re.IGNORECASE
)


def redact(text: str) -> str:
    """`text` with the value of every secret query parameter replaced."""
    return _SECRET_PARAMETER.sub(lambda m: f"{m.group(1)}=[redacted]", text)


class RedactSecrets(logging.Filter):
    """Rewrites an access-log record's arguments (uvicorn: client, method, path, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access log (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
