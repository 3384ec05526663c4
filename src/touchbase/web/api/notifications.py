"""POST /api/google/notifications: Google's push notifications (the seed's webhook route).

Untrusted like any request: a notification counts only when it names a channel touchbase
made, carries that channel's own token, and is newer than the last one taken (a replay is
not). It never calls Google while Google waits, and always answers 200 (anything else makes
Google retry, and tells a stranger which channels exist): a known channel's change defers
one sync of its calendar.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter(prefix="/api/google")
MAX_CHANNEL_ID = 64
MAX_TOKEN = 256
# X-Goog-Message-Number fits a BIGINT.
MAX_MESSAGE = 2**63 - 1


def _message_number(raw: str | None) -> int | None:
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    number = int(raw)
    return number if number <= MAX_MESSAGE else None


@router.post("/notifications", status_code=200, response_class=Response)
async def notification(request: Request) -> Response:
    """A push notification: `X-Goog-Channel-ID`, `X-Goog-Channel-Token`,
    `X-Goog-Resource-State` and `X-Goog-Message-Number` are read; no body."""
    headers = request.headers
    channel_id = headers.get("x-goog-channel-id", "")
    token = headers.get("x-goog-channel-token", "")
    message = _message_number(headers.get("x-goog-message-number"))
    state = headers.get("x-goog-resource-state", "")
    if 0 < len(channel_id) <= MAX_CHANNEL_ID and 0 < len(token) <= MAX_TOKEN and message:
        await request.app.state.work.notified(channel_id, token, state, message)
    return Response(status_code=200)
