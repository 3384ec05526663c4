"""The emulator's core: authenticates each call, applies faults, throttling and latency,
runs the method, and serves batches by running each part through the same path."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from touchbase_emulator import routing
from touchbase_emulator.batch import format_batch, parse_batch
from touchbase_emulator.calendar_api import CalendarApi
from touchbase_emulator.errors import ApiError, unauthenticated
from touchbase_emulator.faults import FaultInjector, RateLimiter, Stats
from touchbase_emulator.push import Notifier
from touchbase_emulator.state import EmulatorState, Grant, save_state
from touchbase_emulator.wire import DEFAULT_CHANNEL_TTL, ApiRequest, ApiResponse, Principal, Route

log = logging.getLogger("touchbase_emulator")
BATCH_PATH = "/batch/calendar/v3"
BASIC_SCOPES = frozenset({"openid", "email", "profile"})


@dataclass
class EmulatorConfig:
    """Settings a test may change at run time."""

    latency_ms: int = 0
    token_lifetime: int = 3600
    # The longest a watch channel lives, whatever its ttl asks (Google: 7 days, often less).
    channel_lifetime: int = DEFAULT_CHANNEL_TTL
    # Scopes a user consents to; a request for more grants only these (granular consent).
    consent: dict[str, list[str]] = field(default_factory=dict)


Routed = tuple[Route, list[str]]


def _routed(request: ApiRequest) -> Routed | ApiError:
    """The method a call names (routed once per call), or the 404 to answer."""
    try:
        return routing.route(request)
    except ApiError as error:
        return error


def error_response(error: ApiError) -> ApiResponse:
    """Google's error envelope as a response."""
    return ApiResponse(error.code, error.envelope(), dict(error.headers))


class Emulator:
    """One emulated Google: state, API, OAuth grants, faults and push notifications."""

    def __init__(
        self, state: EmulatorState | None = None, *, state_file: Path | None = None
    ) -> None:
        self.config = EmulatorConfig()
        self.faults = FaultInjector()
        self.limiter = RateLimiter()
        self.stats = Stats()
        self.state_file = state_file
        self.dirty = False
        self._bind(state or EmulatorState())

    def _bind(self, state: EmulatorState) -> None:
        self.state = state
        self.notifier = getattr(self, "notifier", None) or Notifier(state)
        self.notifier.state = state
        self.api = CalendarApi(
            state,
            on_change=self.notifier.changed,
            on_watch=self.notifier.watched,
            channel_lifetime=lambda: self.config.channel_lifetime,
        )

    def reset(self) -> None:
        """Forget everything: state, notifications not sent yet, faults, limits, latency and
        counters."""
        self.notifier.clear()
        self._bind(EmulatorState())
        self.config = EmulatorConfig()
        self.faults = FaultInjector()
        self.limiter = RateLimiter()
        self.stats = Stats()
        self.dirty = True

    def save(self) -> None:
        """Write the state to its file, if it has one."""
        if self.state_file is not None:
            save_state(self.state, self.state_file)
            self.dirty = False

    # ---- OAuth grants ---------------------------------------------------------------------

    def granted_scopes(self, email: str, requested: list[str]) -> list[str]:
        """The scopes a user grants out of those requested."""
        allowed = self.config.consent.get(email)
        if allowed is None:
            return requested
        return [s for s in requested if s in allowed or s in BASIC_SCOPES]

    def issue_tokens(self, grant: Grant, *, lifetime: int | None = None) -> dict[str, object]:
        """A new access token (and a refresh token for offline grants), Google's JSON shape."""
        self.state.ensure_user(grant.email)
        lifetime = self.config.token_lifetime if lifetime is None else lifetime
        access = "ya29." + secrets.token_urlsafe(32)
        self.state.access_tokens[access] = Grant(
            email=grant.email,
            scopes=list(grant.scopes),
            client_id=grant.client_id,
            expires_at=time.time() + lifetime,
        )
        body: dict[str, object] = {
            "access_token": access,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": " ".join(grant.scopes),
        }
        if grant.offline:
            refresh = "1//" + secrets.token_urlsafe(32)
            self.state.refresh_tokens[refresh] = Grant(
                email=grant.email,
                scopes=list(grant.scopes),
                client_id=grant.client_id,
            )
            body["refresh_token"] = refresh
        self.dirty = True
        return body

    def principal(self, headers: dict[str, str]) -> Principal | None:
        """The caller named by a live bearer token, or None."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        grant = self.state.access_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or (grant.expires_at is not None and grant.expires_at <= time.time()):
            return None
        return Principal(grant.email, frozenset(grant.scopes))

    # ---- calls ----------------------------------------------------------------------------

    async def call(self, request: ApiRequest, *, in_batch: bool = False) -> ApiResponse | None:
        """Serve one call; None means the connection is to be dropped."""
        if not in_batch:
            self.stats.http_requests += 1
            if self.config.latency_ms:
                await asyncio.sleep(self.config.latency_ms / 1000)
        is_batch = request.path == BATCH_PATH and request.method == "POST" and not in_batch
        routed = None if is_batch else _routed(request)
        if routed is not None:
            self.stats.count_call(
                "unknown" if isinstance(routed, ApiError) else routed[0].method_id
            )
        principal = self.principal(request.headers)
        rule = self.faults.take(
            request.method, request.path, principal.email if principal else None
        )
        if rule is not None:
            if rule.latency_ms:
                await asyncio.sleep(rule.latency_ms / 1000)
            if rule.drop == "before":
                return None
            if rule.status is not None:
                return error_response(rule.error())
        if routed is None:
            return await self._batch(request)
        response = self._run(request, routed, principal)
        if rule is not None and rule.drop == "after":
            return None
        return response

    def _run(
        self, request: ApiRequest, routed: Routed | ApiError, principal: Principal | None
    ) -> ApiResponse:
        try:
            if isinstance(routed, ApiError):
                raise routed
            route, args = routed
            if principal is None:
                raise unauthenticated()
            self.limiter.check(principal.email)
            response = routing.run(self.api, route, args, request, principal)
        except ApiError as error:
            return error_response(error)
        except Exception:  # an emulator bug: still answer in Google's envelope, and say so
            log.exception("emulator failed on %s %s", request.method, request.path)
            return error_response(ApiError(500, "backendError", "Backend Error"))
        if request.method != "GET":
            self.dirty = True
        return response

    async def _batch(self, request: ApiRequest) -> ApiResponse:
        try:
            parts = parse_batch(request.headers.get("content-type", ""), request.body)
        except ApiError as error:
            return error_response(error)
        outer_auth = request.headers.get("authorization")
        answers: list[tuple[str | None, ApiResponse, bytes]] = []
        for content_id, part in parts:
            if outer_auth and "authorization" not in part.headers:
                part.headers["authorization"] = outer_auth
            answer = await self.call(part, in_batch=True)
            if answer is None:  # a part cannot drop a connection: its answer is lost instead
                answer = error_response(ApiError(503, "backendError", "Backend Error"))
            payload = json.dumps(answer.body).encode() if answer.body is not None else b""
            answers.append((content_id, answer, payload))
        content_type, body = format_batch(answers)
        return ApiResponse(200, raw=body, content_type=content_type)
