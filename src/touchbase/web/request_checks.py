"""Each request's token check, folded into its first transaction (`store/request_check.py`).

`KnownTokens` remembers whose each token was when last checked in full, so the next request
with it knows its caller before any query; its check then runs in the request's first
transaction. `RequestChecks` opens each request's check and keeps the promise that no answer
goes out unchecked: a check still waiting when the answer starts (the request opened no
transaction) runs then, and a request whose check failed is answered with its error instead
of whatever the endpoint made.
"""

from __future__ import annotations

from collections import OrderedDict

from starlette.types import Message, Receive, Scope, Send

from touchbase.errors import TouchbaseError
from touchbase.store import request_check
from touchbase.store.database import Database
from touchbase.web.asgi import HttpMiddleware
from touchbase.web.errors import error_response

# Tokens remembered per process (the least recently used beyond it are forgotten).
KNOWN_TOKENS = 10_000


class KnownTokens:
    """Token hash -> (user id, email) as of its last full check."""

    def __init__(self, size: int = KNOWN_TOKENS) -> None:
        self._size = size
        self._known: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def get(self, token_hash: str) -> tuple[str, str] | None:
        found = self._known.get(token_hash)
        if found is not None:
            self._known.move_to_end(token_hash)
        return found

    def remember(self, token_hash: str, user_id: str, email: str) -> None:
        self._known[token_hash] = (user_id, email)
        self._known.move_to_end(token_hash)
        while len(self._known) > self._size:
            self._known.popitem(last=False)

    def forget(self, token_hash: str) -> None:
        self._known.pop(token_hash, None)


class RequestChecks(HttpMiddleware):
    """Open each HTTP request's check; answer with its failure, and run it if still waiting
    when the answer starts."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        check, token = request_check.open_request()
        replaced = False

        async def checked(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                await _settle(scope["app"].state.services.db, check)
                if check.failed:
                    replaced = True
                    assert isinstance(check.failure, TouchbaseError)
                    await error_response(check.failure)(scope, receive, send)
            if not replaced:
                await send(message)

        try:
            await self.app(scope, receive, checked)
        finally:
            request_check.close_request(token)


async def _settle(db: Database, check: request_check.RequestCheck) -> None:
    """Run a check still waiting, in a transaction of its own."""
    try:
        await db.settle_request_check(check)
    except TouchbaseError:
        if not check.failed:
            raise
