"""The control API under /_emulator/: seed, reset, faults, latency, throttling, token and
sync-token expiry, consent, counters. For tests and demos; real Google has none of it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from touchbase_emulator import instances
from touchbase_emulator.clock import now_utc, zone
from touchbase_emulator.core import Emulator
from touchbase_emulator.errors import ApiError
from touchbase_emulator.faults import FaultRule
from touchbase_emulator.state import Calendar, Grant, User
from touchbase_emulator.wire import channel_json, new_id

Endpoint = Callable[[Request], Awaitable[Response]]
DEFAULT_SCOPES = ["https://www.googleapis.com/auth/calendar"]


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": 400, "message": message}}, status_code=400)


async def _json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def _guard(handler: Endpoint) -> Endpoint:
    """Answer 400 with the reason for bad control input instead of failing."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return JSONResponse(error.envelope(), status_code=error.code)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return _bad(f"{type(error).__name__}: {error}")

    return wrapped


def seed(emulator: Emulator, raw: dict[str, Any]) -> dict[str, Any]:
    """Create users, calendars and events from JSON; returns the ids created."""
    state, created = emulator.state, []
    for user_raw in raw.get("users", []):
        email = user_raw["email"]
        tz_name = user_raw.get("timeZone", "UTC")
        zone(tz_name, location="timeZone")
        user = state.ensure_user(email, time_zone=tz_name)
        targets = [(state.calendars[email], user_raw.get("events", []))]
        _list_entry(user, email, user_raw)
        for cal_raw in user_raw.get("calendars", []):
            cal_id = (
                cal_raw.get("id")
                or f"{len(state.calendars)}{email.split('@')[0]}@group.calendar.google.com"
            )
            if cal_id not in state.calendars:
                cal_tz = cal_raw.get("timeZone", tz_name)
                zone(cal_tz, location="timeZone")
                state.calendars[cal_id] = Calendar(
                    id=cal_id,
                    owner=email,
                    summary=cal_raw.get("summary", cal_id),
                    time_zone=cal_tz,
                    description=cal_raw.get("description", ""),
                )
                user.calendar_ids.append(cal_id)
            _list_entry(user, cal_id, cal_raw)
            targets.append((state.calendars[cal_id], cal_raw.get("events", [])))
        for calendar, events in targets:
            for event in events:
                if event.get("_raw"):
                    created.append(_store_raw(emulator, calendar, event))
                else:
                    created.append(emulator.api.insert(calendar, dict(event))["id"])
    emulator.dirty = True
    return {"events": created}


def _list_entry(user: User, calendar_id: str, raw: dict[str, Any]) -> None:
    """The calendar's entry in the user's calendar list as `raw["listEntry"]` says (its
    colours, say), unvalidated: what a client must read as untrusted."""
    entry = raw.get("listEntry")
    if isinstance(entry, dict):
        user.list_entries[calendar_id] = {**user.list_entries.get(calendar_id, {}), **entry}


def _store_raw(emulator: Emulator, calendar: Calendar, event: dict[str, Any]) -> str:
    """Store an event exactly as given, unvalidated: Google holds such legacy data too."""
    data = {k: v for k, v in event.items() if k != "_raw"}
    data.setdefault("id", new_id())
    data.setdefault("status", "confirmed")
    data.setdefault("etag", f'"raw{emulator.state.seq + 1}"')
    data.setdefault("updated", "2026-01-01T00:00:00.000Z")
    emulator.api.store(calendar, data)
    return str(data["id"])


def routes(emulator: Emulator) -> list[Route]:  # noqa: PLR0915 - one closure per endpoint
    """The control routes, bound to one emulator."""

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "pid": os.getpid()})

    async def reset(request: Request) -> Response:
        emulator.reset()
        return JSONResponse({"ok": True})

    async def seed_endpoint(request: Request) -> Response:
        return JSONResponse(seed(emulator, await _json(request)))

    async def tokens(request: Request) -> Response:
        raw = await _json(request)
        grant = Grant(
            email=raw["email"],
            scopes=list(raw.get("scopes", DEFAULT_SCOPES)),
            client_id=raw.get("clientId", "emulator"),
            offline=True,
        )
        return JSONResponse(emulator.issue_tokens(grant, lifetime=raw.get("lifetimeSeconds")))

    async def expire_tokens(request: Request) -> Response:
        for grant in emulator.state.access_tokens.values():
            grant.expires_at = time.time() - 1
        return JSONResponse({"expired": len(emulator.state.access_tokens)})

    async def revoke_user(request: Request) -> Response:
        email = (await _json(request))["email"]
        state = emulator.state
        removed = 0
        for tokens in (state.access_tokens, state.refresh_tokens):
            for key in [k for k, grant in tokens.items() if grant.email == email]:
                del tokens[key]
                removed += 1
        emulator.dirty = True
        return JSONResponse({"revoked": removed})

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.faults.rules.clear()
        elif request.method == "POST":
            raw = await _json(request)
            for rule in raw.get("rules", [raw]) if isinstance(raw, dict) else raw:
                emulator.faults.rules.append(FaultRule.from_json(rule))
        return JSONResponse({"rules": [vars(r) for r in emulator.faults.rules]})

    async def config(request: Request) -> Response:
        if request.method == "PUT":
            raw = await _json(request)
            if "latencyMs" in raw:
                emulator.config.latency_ms = int(raw["latencyMs"])
            if "tokenLifetimeSeconds" in raw:
                emulator.config.token_lifetime = int(raw["tokenLifetimeSeconds"])
            if "channelLifetimeSeconds" in raw:
                emulator.config.channel_lifetime = int(raw["channelLifetimeSeconds"])
            if "rateLimit" in raw:
                limit = raw["rateLimit"] or {}
                status = int(limit.get("status", 403))
                if status not in (403, 429):
                    raise ValueError("rateLimit.status must be 403 or 429")
                emulator.limiter.per_minute = int(limit.get("perMinute", 0))
                emulator.limiter.status = status
                emulator.limiter.buckets.clear()
        return JSONResponse(
            {
                "latencyMs": emulator.config.latency_ms,
                "tokenLifetimeSeconds": emulator.config.token_lifetime,
                "channelLifetimeSeconds": emulator.config.channel_lifetime,
                "rateLimit": {
                    "perMinute": emulator.limiter.per_minute,
                    "status": emulator.limiter.status,
                },
            }
        )

    async def expire_sync_tokens(request: Request) -> Response:
        emulator.state.token_epoch += 1
        emulator.dirty = True
        return JSONResponse({"epoch": emulator.state.token_epoch})

    async def consent(request: Request) -> Response:
        raw = await _json(request)
        email = request.path_params["email"]
        if raw.get("scopes") is None:
            emulator.config.consent.pop(email, None)
        else:
            emulator.config.consent[email] = list(raw["scopes"])
        return JSONResponse({"email": email, "scopes": raw.get("scopes")})

    async def stats(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.stats.__init__()  # type: ignore[misc]
            emulator.limiter.refused = 0
        return JSONResponse({**emulator.stats.as_json(), "throttled": emulator.limiter.refused})

    async def invitations(request: Request) -> Response:
        return JSONResponse({"items": emulator.api.invitations})

    async def channels(request: Request) -> Response:
        """The live channels (an expired one is gone, as in Google)."""
        now_ms = int(now_utc().timestamp() * 1000)
        items = [
            channel_json(c) | {"address": c.address, "messages": c.message_number}
            for c in emulator.state.channels.values()
            if c.expiration_ms > now_ms
        ]
        return JSONResponse({"items": items, "delivered": emulator.notifier.delivered})

    async def purge(request: Request) -> Response:
        raw = await _json(request)
        calendar = emulator.state.calendars[raw["calendarId"]]
        removed = calendar.events.pop(raw["eventId"], None)
        emulator.dirty = True
        return JSONResponse({"purged": removed is not None})

    async def split(request: Request) -> Response:
        raw = await _json(request)
        calendar = emulator.state.calendars[raw["calendarId"]]
        try:
            made = instances.split_in_ui(
                emulator.api, calendar, raw["eventId"], raw["originalStart"]
            )
        except (KeyError, ValueError) as exc:
            return _bad(f"cannot split: {exc}")
        emulator.dirty = True
        return JSONResponse(made)

    async def save(request: Request) -> Response:
        emulator.save()
        return JSONResponse({"saved": emulator.state_file is not None})

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/health", health, ["GET"]),
        ("/reset", reset, ["POST"]),
        ("/seed", seed_endpoint, ["POST"]),
        ("/tokens", tokens, ["POST"]),
        ("/tokens/expire", expire_tokens, ["POST"]),
        ("/tokens/revoke", revoke_user, ["POST"]),
        ("/faults", faults, ["GET", "POST", "DELETE"]),
        ("/config", config, ["GET", "PUT"]),
        ("/sync-tokens/expire", expire_sync_tokens, ["POST"]),
        ("/consent/{email}", consent, ["PUT"]),
        ("/stats", stats, ["GET", "DELETE"]),
        ("/invitations", invitations, ["GET"]),
        ("/channels", channels, ["GET"]),
        ("/save", save, ["POST"]),
        ("/purge", purge, ["POST"]),
        ("/split", split, ["POST"]),
    ]
    return [Route("/_emulator" + path, _guard(fn), methods=m) for path, fn, m in table]
