"""The emulator's wire types and resource shapes: a call, its answer, who makes it, and the
JSON of calendars and channels."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from touchbase_emulator.clock import parse_datetime
from touchbase_emulator.errors import ApiError, invalid
from touchbase_emulator.state import Channel, Json

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi

ID_ALPHABET = "0123456789abcdefghijklmnopqrstuv"
DEFAULT_CHANNEL_TTL = 7 * 24 * 3600


@dataclass
class ApiRequest:
    """One Calendar API call, over HTTP or inside a batch."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        return next((v for k, v in self.query if k == name), None)


@dataclass
class ApiResponse:
    """The answer to one call."""

    status: int
    body: Json | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a non-JSON body (batch responses)
    content_type: str = "application/json; charset=UTF-8"


@dataclass(frozen=True)
class Principal:
    """Who calls, and with which scopes."""

    email: str
    scopes: frozenset[str]


Handler = Callable[["CalendarApi", ApiRequest, Principal, list[str]], ApiResponse]


@dataclass(frozen=True)
class Route:
    """A method of the API."""

    verb: str
    pattern: re.Pattern[str]
    method_id: str
    scopes: frozenset[str]
    handler: Handler


def new_id(length: int = 26) -> str:
    """A random base32hex id, like Google's."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def parse_body(request: ApiRequest) -> Json:
    """The JSON object in the body; 400 parseError otherwise."""
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "parseError", "Parse Error") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    return body


def same_start(value: object, wanted: str) -> bool:
    if not isinstance(value, dict):
        return False
    return (
        value.get("dateTime") == wanted
        or value.get("date") == wanted
        or (
            "dateTime" in value
            and parse_datetime(value["dateTime"], location="originalStart")
            == parse_datetime(wanted, location="originalStart")
        )
    )


def webhook_address_ok(address: str) -> bool:
    if address.startswith("https://"):
        return True
    loopback = re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)", address)
    return loopback is not None


def channel_ttl(params: Any) -> int:
    if not isinstance(params, dict) or "ttl" not in params:
        return DEFAULT_CHANNEL_TTL
    try:
        ttl = int(params["ttl"])
    except (TypeError, ValueError) as exc:
        raise invalid("Invalid ttl.", location="params.ttl") from exc
    if ttl <= 0:
        raise invalid("Invalid ttl.", location="params.ttl")
    return ttl


def channel_json(channel: Channel) -> Json:
    """The api#channel resource."""
    out: Json = {
        "kind": "api#channel",
        "id": channel.id,
        "resourceId": channel.resource_id,
        "resourceUri": resource_uri(channel),
        "expiration": str(channel.expiration_ms),
    }
    if channel.token:
        out["token"] = channel.token
    return out


RESOURCE_PATHS = {
    "events": "calendars/{}/events",
    "acl": "calendars/{}/acl",
    "calendarList": "users/me/calendarList",
    "settings": "users/me/settings",
}


def resource_uri(channel: Channel) -> str:
    """The resource URI Google names in notifications."""
    path = RESOURCE_PATHS[channel.resource].format(channel.calendar_id)
    return f"https://www.googleapis.com/calendar/v3/{path}?alt=json"


def expiration_header(channel: Channel) -> str:
    """X-Goog-Channel-Expiration: an HTTP date."""
    moment = datetime.fromtimestamp(channel.expiration_ms / 1000, tz=UTC)
    return format_datetime(moment, usegmt=True)
