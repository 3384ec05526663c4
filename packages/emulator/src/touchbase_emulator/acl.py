"""Sharing a calendar (acl.*): rules that give a user, group, domain or everyone a role.

A rule takes effect at once: a user it names can read (or write) the calendar by its id and
put it on their list with calendarList.insert.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from touchbase_emulator import sharing
from touchbase_emulator.calendars import etag_of
from touchbase_emulator.errors import ApiError, invalid, not_found, required
from touchbase_emulator.state import Calendar, Json
from touchbase_emulator.wire import ApiRequest, ApiResponse, Handler, Principal, parse_body

if TYPE_CHECKING:
    from touchbase_emulator.calendar_api import CalendarApi


def _own_rule() -> ApiError:
    return ApiError(403, "cannotChangeOwnAcl", "Cannot change your own access level.")


def _rule(calendar: Calendar, rule_id: str) -> Json:
    for rule in sharing.rules(calendar):
        if rule["id"] == rule_id:
            return rule
    raise not_found()


def _checked(body: Json) -> tuple[str, Json]:
    """(rule id, scope) of a rule body, or 400 naming the field."""
    role = body.get("role")
    if not role:
        raise required("Missing role.", location="role")
    if role not in sharing.ROLES:
        raise invalid(f"Invalid role: {role!r}", location="role")
    scope = body.get("scope")
    if not isinstance(scope, dict) or not scope.get("type"):
        raise required("Missing scope type.", location="scope.type")
    kind, value = scope["type"], scope.get("value")
    if kind not in sharing.SCOPE_TYPES:
        raise invalid(f"Invalid scope type: {kind!r}", location="scope.type")
    if kind == "default":
        return "default", {"type": "default"}
    if not isinstance(value, str) or not value:
        raise required("Missing scope value.", location="scope.value")
    return f"{kind}:{value}", {"type": kind, "value": value}


def _stored(
    api: CalendarApi, calendar: Calendar, rule_id: str, scope: Json, role: str
) -> ApiResponse:
    """Write a rule and tell the channels watching the calendar's sharing."""
    if rule_id == sharing.owner_rule(calendar)["id"]:
        raise _own_rule()
    rule: Json = {"kind": "calendar#aclRule", "id": rule_id, "scope": scope, "role": role}
    rule["etag"] = etag_of(rule)
    calendar.acl[rule_id] = rule
    api.notify("acl", calendar.id)
    return ApiResponse(200, rule)


def acl_list(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """acl.list"""
    calendar = api.calendar(principal, args[0], "owner")
    items = sharing.rules(calendar)
    return ApiResponse(
        200, {"kind": "calendar#acl", "etag": etag_of({"items": items}), "items": items}
    )


def acl_get(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """acl.get"""
    return ApiResponse(200, _rule(api.calendar(principal, args[0], "owner"), args[1]))


def acl_insert(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """acl.insert: a new rule (or the scope's rule, changed)."""
    calendar = api.calendar(principal, args[0], "owner")
    body = parse_body(request)
    rule_id, scope = _checked(body)
    return _stored(api, calendar, rule_id, scope, body["role"])


def acl_write(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """acl.update and acl.patch: a rule's role changes; its scope cannot."""
    calendar = api.calendar(principal, args[0], "owner")
    current = _rule(calendar, args[1])
    body = parse_body(request)
    if request.method == "PATCH":
        body = {"role": current["role"], "scope": current["scope"], **body}
    rule_id, scope = _checked({"scope": current["scope"], **body})
    if rule_id != current["id"]:
        raise invalid("The scope of a rule cannot change.", location="scope")
    return _stored(api, calendar, rule_id, scope, body["role"])


def acl_delete(
    api: CalendarApi, request: ApiRequest, principal: Principal, args: list[str]
) -> ApiResponse:
    """acl.delete"""
    calendar = api.calendar(principal, args[0], "owner")
    rule = _rule(calendar, args[1])
    if rule["id"] == sharing.owner_rule(calendar)["id"]:
        raise _own_rule()
    del calendar.acl[rule["id"]]
    api.notify("acl", calendar.id)
    return ApiResponse(204)


HANDLERS: dict[str, Handler] = {
    "calendar.acl.list": acl_list,
    "calendar.acl.get": acl_get,
    "calendar.acl.insert": acl_insert,
    "calendar.acl.update": acl_write,
    "calendar.acl.patch": acl_write,
    "calendar.acl.delete": acl_delete,
}
