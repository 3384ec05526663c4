"""Drive the emulator with Google's own Python client, as the README shows.

    make demo                                     # in one terminal
    .venv/bin/python examples/official_client.py  # in another

It signs in without a browser (login_hint), then creates, lists (paged, then incrementally),
patches with If-Match, deletes, and batches.
"""

from __future__ import annotations

import sys
from urllib.parse import parse_qs, urlsplit

import httpx
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765"
REDIRECT = "http://127.0.0.1:9/callback"


def sign_in(email: str) -> str:
    """The OAuth code flow; login_hint makes the emulator redirect at once."""
    answer = httpx.get(
        f"{BASE}/o/oauth2/v2/auth",
        params={
            "client_id": "example",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "https://www.googleapis.com/auth/calendar",
            "login_hint": email,
        },
    )
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    tokens = httpx.post(
        f"{BASE}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "example",
            "redirect_uri": REDIRECT,
        },
    ).json()
    return str(tokens["access_token"])


def main() -> None:
    service = build(
        "calendar",
        "v3",
        credentials=Credentials(sign_in("demo@example.com")),
        static_discovery=True,
        client_options={"api_endpoint": f"{BASE}/calendar/v3/"},
    )
    events = service.events()

    created = events.insert(
        calendarId="primary",
        body={
            "summary": "Intro call",
            "start": {"dateTime": "2027-01-10T10:00:00Z"},
            "end": {"dateTime": "2027-01-10T10:30:00Z"},
        },
    ).execute()
    print("created", created["id"], created["etag"])

    request, seen = events.list(calendarId="primary", maxResults=2), 0
    while request is not None:
        page = request.execute()
        seen += len(page["items"])
        request = events.list_next(request, page)
    sync_token = page["nextSyncToken"]
    print("listed", seen, "events; sync token on the last page")

    patch = events.patch(
        calendarId="primary", eventId=created["id"], body={"summary": "Intro call (moved)"}
    )
    patch.headers["If-Match"] = created["etag"]
    patched = patch.execute()
    print("patched with If-Match; new etag", patched["etag"])

    stale = events.patch(calendarId="primary", eventId=created["id"], body={"summary": "x"})
    stale.headers["If-Match"] = created["etag"]
    try:
        stale.execute()
    except HttpError as error:
        print("stale etag ->", error.resp.status, error.error_details[0]["reason"])

    changes = events.list(calendarId="primary", syncToken=sync_token).execute()
    print("incremental:", [(e["id"], e["summary"]) for e in changes["items"]])

    events.delete(calendarId="primary", eventId=created["id"]).execute()
    print(
        "deleted; now", events.get(calendarId="primary", eventId=created["id"]).execute()["status"]
    )

    results: list[str] = []
    batch = BatchHttpRequest(
        batch_uri=f"{BASE}/batch/calendar/v3",
        callback=lambda rid, resp, exc: results.append(
            f"{rid}:{'error ' + str(exc.resp.status) if exc else 'ok'}"
        ),
    )
    for n in range(3):
        batch.add(
            events.insert(
                calendarId="primary",
                body={
                    "summary": f"Batch {n}",
                    "start": {"date": "2027-02-01"},
                    "end": {"date": "2027-02-02"},
                },
            )
        )
    batch.add(events.get(calendarId="primary", eventId="doesnotexist"))
    batch.execute()
    print("batch:", " ".join(results))


if __name__ == "__main__":
    main()
