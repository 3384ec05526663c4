"""Headers every answer carries: no framing, no sniffing, a strict policy for pages, and no
caching of anything but static files.

Pure ASGI (`web/asgi.py`): Starlette's `BaseHTTPMiddleware` would stream every body through
a queue of its own, which costs a listing's megabyte a millisecond or more.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from touchbase.web.asgi import HttpMiddleware

# Scripts and styles come from this site only; FullCalendar adds <style> elements at run time.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


class SecurityHeaders(HttpMiddleware):
    """Add the headers to each answer's start (those it set itself are kept)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                # Answers for one person (the API, the pages): never kept by a cache.
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)
