"""FastAPI dependencies: the services, the signed-in user (API token or browser session),
and the mutation rate limit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Annotated, Literal

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException as StarletteHTTPException

from touchbase.calendar.actors import Actor
from touchbase.calendar.services import CalendarServices
from touchbase.errors import AuthenticationError, RateLimitError
from touchbase.store import accounts, request_check
from touchbase.web.request_checks import KnownTokens
from touchbase.web.sessions import check_csrf, signed_in

INVALID_TOKEN = "This API token is not valid."


@dataclass
class MutationLimiter:
    """A token bucket per user: `per_minute` changes, refilled continuously."""

    per_minute: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def spend(self, user_id: str, *, cost: float = 1.0) -> None:
        """Spend one change (or `cost` of one), or raise CALENDAR_RATE_LIMIT with the wait."""
        now = time.monotonic()
        tokens, then = self.buckets.get(user_id, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - then) * self.per_minute / 60)
        if tokens < cost:
            self.buckets[user_id] = (tokens, now)
            raise RateLimitError(
                "Too many changes in a short time.",
                retry_after=(cost - tokens) * 60 / self.per_minute,
            )
        self.buckets[user_id] = (tokens - cost, now)


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def no_nul_characters(request: Request) -> None:
    """Every route's first check: a NUL character (which PostgreSQL cannot store, and no id
    or search holds) in a path is a 404, in a query parameter or a form field a 422 naming it.
    A JSON body's are taken out (`schemas.RequestBody`)."""
    if any("\x00" in value for value in request.path_params.values()):
        raise StarletteHTTPException(404)
    if b"%00" in request.scope["query_string"]:
        _refuse_nul("query", request.query_params.multi_items())
    if request.headers.get("content-type", "").startswith(_FORMS):
        form = await request.form()
        _refuse_nul("body", [(k, v) for k, v in form.multi_items() if isinstance(v, str)])


def _refuse_nul(where: str, items: list[tuple[str, str]]) -> None:
    for name, value in items:
        if "\x00" in name or "\x00" in value:
            problem = {"loc": (where, name.replace("\x00", "")), "msg": "holds a NUL character"}
            raise RequestValidationError([{**problem, "type": "value_error"}])


async def services(request: Request) -> CalendarServices:
    """The app's calendar services (a coroutine: FastAPI runs a plain function in a thread,
    a hand-over there and back on every request)."""
    found: CalendarServices = request.app.state.services
    return found


async def current_actor(
    request: Request, calendar: Annotated[CalendarServices, Depends(services)]
) -> Actor:
    """The user named by the bearer token, or signed in to the pages (CSRF-checked)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        browser = await signed_in(request, calendar)
        if browser is None:
            raise AuthenticationError()
        check_csrf(request, browser.csrf_token)
        return Actor(user_id=browser.user_id, email=browser.email, source="ui")
    return await _token_actor(request.app.state.known_tokens, calendar, token.strip())


async def _token_actor(known: KnownTokens, calendar: CalendarServices, token: str) -> Actor:
    """The API token's user: checked now if the token is new to this process, else in the
    request's first transaction (`store/request_check.py`)."""
    token_hash = accounts.hash_token(token)
    seen = known.get(token_hash)
    if seen is not None:
        user_id, email = seen

        async def holds(session: AsyncSession) -> bool:
            if await accounts.token_holds(session, token_hash, user_id, calendar.clock()):
                return True
            known.forget(token_hash)
            return False

        if request_check.defer(holds, AuthenticationError(INVALID_TOKEN)):
            return Actor(user_id=user_id, email=email, source="api")
    async with calendar.db.session() as session:
        user = await accounts.user_for_token(session, token, now=calendar.clock())
    if user is None:
        known.forget(token_hash)
        raise AuthenticationError(INVALID_TOKEN)
    known.remember(token_hash, user.id, user.email)
    return Actor(user_id=user.id, email=user.email, source="api")


async def mutating_actor(
    request: Request, actor: Annotated[Actor, Depends(current_actor)]
) -> Actor:
    """The signed-in user, if they have changes left this minute."""
    limiter: MutationLimiter = request.app.state.limiter
    limiter.spend(actor.user_id)
    return actor


# Whom Google emails about a change of an event with guests (Google's own parameter).
SendUpdates = Literal["none", "externalOnly", "all"]


async def emailing_actor(
    actor: Annotated[Actor, Depends(mutating_actor)],
    sendUpdates: Annotated[
        SendUpdates,
        Query(
            description="Whether Google emails the event's guests about this change: `none` "
            "(the default: no one), `externalOnly` (guests outside your domain) or `all`."
        ),
    ] = "none",
) -> Actor:
    """The changing user, with whether Google should email guests about the change."""
    return replace(actor, send_updates=sendUpdates)


Services = Annotated[CalendarServices, Depends(services)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
MutatingActor = Annotated[Actor, Depends(mutating_actor)]
EmailingActor = Annotated[Actor, Depends(emailing_actor)]
