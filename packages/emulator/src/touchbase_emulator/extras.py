"""The event fields a client must opt in to writing: conferenceData (conferenceDataVersion=1)
and attachments (supportsAttachments=true). Without the opt-in Google keeps what the event
had and ignores what the body says; with it, a Meet `createRequest` makes a conference."""

from __future__ import annotations

import hashlib
import string

from touchbase_emulator.errors import invalid, required
from touchbase_emulator.state import Json
from touchbase_emulator.wire import ApiRequest

MEET = "hangoutsMeet"
MEET_ICON = (
    "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/"
    "logo_meet_2020q4_color_2x_web_512dp.png"
)
MAX_ATTACHMENTS = 25


def conference_version(request: ApiRequest) -> int:
    """conferenceDataVersion: 0 (the default) or 1."""
    raw = request.param("conferenceDataVersion") or "0"
    if raw not in ("0", "1"):
        raise invalid(f"Invalid conferenceDataVersion: {raw!r}", location="conferenceDataVersion")
    return int(raw)


def meet_id(calendar_id: str, request_id: str) -> str:
    """A Meet code like Google's (abc-defg-hij), the same for the same create request."""
    digest = hashlib.sha256(f"{calendar_id}\n{request_id}".encode()).digest()
    letters = "".join(string.ascii_lowercase[b % 26] for b in digest[:10])
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:]}"


def _meet(calendar_id: str, create: Json) -> Json:
    request_id = create.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise required("Missing requestId.", location="conferenceData.createRequest.requestId")
    key = create.get("conferenceSolutionKey") or {"type": MEET}
    if not isinstance(key, dict) or key.get("type") != MEET:
        raise invalid(
            "Invalid conference type value.",
            location="conferenceData.createRequest.conferenceSolutionKey.type",
        )
    code = meet_id(calendar_id, request_id)
    return {
        "createRequest": {
            "requestId": request_id,
            "conferenceSolutionKey": {"type": MEET},
            "status": {"statusCode": "success"},
        },
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": f"https://meet.google.com/{code}",
                "label": f"meet.google.com/{code}",
            }
        ],
        "conferenceSolution": {"key": {"type": MEET}, "name": "Google Meet", "iconUri": MEET_ICON},
        "conferenceId": code,
    }


def _conference(calendar_id: str, wanted: object, current: Json | None) -> Json:
    if not isinstance(wanted, dict):
        raise invalid("conferenceData must be an object.", location="conferenceData")
    create = wanted.get("createRequest")
    if create is not None and not isinstance(create, dict):
        raise invalid("Invalid createRequest.", location="conferenceData.createRequest")
    if create is not None and "status" not in create:
        same = (current or {}).get("createRequest", {}).get("requestId")
        if current and same == create.get("requestId"):
            return current  # the same request again: the conference it made
        return _meet(calendar_id, create)
    points = wanted.get("entryPoints") or []
    if not isinstance(points, list):
        raise invalid("entryPoints must be a list.", location="conferenceData.entryPoints")
    for index, point in enumerate(points):
        if not isinstance(point, dict) or not isinstance(point.get("uri"), str):
            raise invalid("Invalid entry point.", location=f"conferenceData.entryPoints[{index}]")
    return wanted


def _attachments(value: object) -> list[Json]:
    if not isinstance(value, list):
        raise invalid("attachments must be a list.", location="attachments")
    if len(value) > MAX_ATTACHMENTS:
        raise invalid(f"At most {MAX_ATTACHMENTS} attachments.", location="attachments")
    for index, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("fileUrl"), str):
            raise required("Missing fileUrl.", location=f"attachments[{index}].fileUrl")
    return value


def settle(request: ApiRequest, body: Json, current: Json | None, calendar_id: str) -> Json:
    """`body` (a new event, or an event merged with a patch or update) with conferenceData
    and attachments as Google leaves them after this request."""
    out = dict(body)
    for key, opted_in in (
        ("conferenceData", conference_version(request) == 1),
        ("attachments", request.param("supportsAttachments") == "true"),
    ):
        if not opted_in:
            out.pop(key, None)
            if current and key in current:
                out[key] = current[key]
        elif out.get(key) is not None:
            out[key] = (
                _conference(calendar_id, out[key], (current or {}).get(key))
                if key == "conferenceData"
                else _attachments(out[key])
            )
    return out


def hangout_link(data: Json) -> str | None:
    """The Meet link of an event's conference, if it has one."""
    conference = data.get("conferenceData") or {}
    if conference.get("conferenceSolution", {}).get("key", {}).get("type") != MEET:
        return None
    for point in conference.get("entryPoints") or []:
        if point.get("entryPointType") == "video":
            return str(point["uri"])
    return None
