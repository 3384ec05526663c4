"""A limit on request bodies, enforced before anything reads them, answered in the API's
error envelope.

Pure ASGI: a declared Content-Length over the limit is answered 413 at once, before
authentication and before any parsing; a body sent without one (chunked) is counted as it
arrives and refused the moment it passes the limit. No route, form or JSON parser ever holds
more than the limit in memory.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from touchbase.web.asgi import HttpMiddleware
from touchbase.web.errors import http_error_response

MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = "The request body is too large: at most 1 MiB."


class BodyLimit(HttpMiddleware):
    """Refuse request bodies larger than `limit` bytes (413 REQUEST_TOO_LARGE)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(app)
        self.limit = limit

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await http_error_response(413, TOO_LARGE)(scope, receive, send)
            return
        received, over = 0, False

        async def counted() -> Message:
            # Past the limit the app is told the client left: it stops reading, and whatever
            # it answers is replaced by the 413 below.
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def answer(message: Message) -> None:
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":
                await http_error_response(413, TOO_LARGE)(scope, receive, send)

        await self.app(scope, counted, answer)
