"""Who may do what with a calendar: its owner, and the access control rules it is shared by."""

from __future__ import annotations

from touchbase_emulator.errors import ApiError
from touchbase_emulator.state import Calendar, Json

# Google's access roles, weakest first.
ROLES = ("none", "freeBusyReader", "reader", "writer", "owner")
SCOPE_TYPES = ("default", "user", "group", "domain")


def rank(role: str) -> int:
    """A role's strength (0 for an unknown role)."""
    return ROLES.index(role) if role in ROLES else 0


def owner_rule(calendar: Calendar) -> Json:
    """The rule every calendar has: its owner owns it."""
    return {
        "kind": "calendar#aclRule",
        "etag": '"00000000000000000000"',
        "id": f"user:{calendar.owner}",
        "scope": {"type": "user", "value": calendar.owner},
        "role": "owner",
    }


def rules(calendar: Calendar) -> list[Json]:
    """Every rule of a calendar, the owner's first."""
    return [owner_rule(calendar), *calendar.acl.values()]


def _applies(rule: Json, email: str) -> bool:
    scope = rule.get("scope", {})
    kind, value = scope.get("type"), str(scope.get("value", "")).lower()
    email = email.lower()
    if kind == "default":
        return True
    if kind in ("user", "group"):
        return value == email
    return kind == "domain" and email.rpartition("@")[2] == value


def role_of(calendar: Calendar, email: str) -> str:
    """The strongest role any rule gives `email` on `calendar` ("none" if no rule does)."""
    best = "none"
    for rule in rules(calendar):
        if _applies(rule, email) and rank(rule["role"]) > rank(best):
            best = rule["role"]
    return best


def require(role: str, need: str) -> None:
    """403 requiredAccessLevel unless `role` is at least `need`."""
    if rank(role) < rank(need):
        raise ApiError(
            403, "requiredAccessLevel", f"You need to have {need} access to this calendar."
        )
