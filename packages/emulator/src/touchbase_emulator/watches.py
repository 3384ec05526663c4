"""Push channels: events.watch, acl.watch, calendarList.watch, settings.watch, channels.stop.

A channel watches a calendar's events or acl, or a user's calendar list or settings; the
notifier POSTs `sync` to it at once, then `exists` after each change of what it watches.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from touchbase_emulator.clock import now_utc
from touchbase_emulator.errors import invalid, not_found, required
from touchbase_emulator.state import Channel
from touchbase_emulator.wire import (
    ApiRequest,
    ApiResponse,
    Handler,
    Principal,
    channel_json,
    channel_ttl,
    parse_body,
    webhook_address_ok,
)

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi


def _resource_id(resource: str, key: str, salt: str) -> str:
    digest = hashlib.sha256(f"{resource}\n{key}\n{salt}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def _watch(
    api: CalendarApi,
    request: ApiRequest,
    principal: Principal,
    *,
    resource: str,
    key: str,
    resource_id: str,
) -> ApiResponse:
    """Register a web_hook channel on one resource and send it the `sync` message."""
    body = parse_body(request)
    channel_id, address = body.get("id"), body.get("address")
    if not isinstance(channel_id, str) or not channel_id:
        raise required("Missing channel id.", location="id")
    if body.get("type") not in ("web_hook", "webhook"):
        raise invalid("Unknown channel type.", location="type")
    if not isinstance(address, str) or not webhook_address_ok(address):
        raise invalid("WebHook callback must be HTTPS: " + str(address), location="address")
    if body.get("token") is not None and not isinstance(body["token"], str):
        raise invalid("Invalid token.", location="token")
    if channel_id in api.state.channels:
        raise invalid(f"Channel id {channel_id} not unique", location="id")
    ttl = min(channel_ttl(body.get("params")), api.channel_lifetime())
    expiration = int(now_utc().timestamp() * 1000) + ttl * 1000
    if body.get("expiration"):
        try:
            expiration = min(expiration, int(body["expiration"]))
        except (TypeError, ValueError) as exc:
            raise invalid("Invalid expiration.", location="expiration") from exc
    channel = Channel(
        id=channel_id,
        resource_id=resource_id,
        calendar_id=key,
        address=address,
        token=body.get("token"),
        expiration_ms=expiration,
        owner=principal.email,
        resource=resource,
    )
    api.state.channels[channel_id] = channel
    api.on_watch(channel)
    return ApiResponse(200, channel_json(channel))


def events_watch(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """events.watch"""
    calendar = api.calendar(principal, args[0])
    return _watch(
        api,
        request,
        principal,
        resource="events",
        key=calendar.id,
        resource_id=calendar.resource_id,
    )


def acl_watch(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """acl.watch: the calendar's sharing rules (the owner's to watch)."""
    calendar = api.calendar(principal, args[0], "owner")
    resource_id = _resource_id("acl", calendar.id, calendar.resource_id)
    return _watch(api, request, principal, resource="acl", key=calendar.id, resource_id=resource_id)


def _user_watch(resource: str) -> Handler:
    def handler(
        api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
    ) -> ApiResponse:
        api.state.ensure_user(principal.email)
        resource_id = _resource_id(resource, principal.email, "")
        return _watch(
            api, request, principal, resource=resource, key=principal.email, resource_id=resource_id
        )

    handler.__doc__ = f"{resource}.watch: the caller's own {resource}."
    return handler


def channels_stop(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """channels.stop"""
    body = parse_body(request)
    channel = api.state.channels.get(str(body.get("id")))
    if (
        channel is None
        or channel.resource_id != body.get("resourceId")
        or channel.owner != principal.email
    ):
        raise not_found("Channel not found.")
    del api.state.channels[channel.id]
    return ApiResponse(204)


HANDLERS: dict[str, Handler] = {
    "calendar.events.watch": events_watch,
    "calendar.acl.watch": acl_watch,
    "calendar.calendarList.watch": _user_watch("calendarList"),
    "calendar.settings.watch": _user_watch("settings"),
    "calendar.channels.stop": channels_stop,
}
