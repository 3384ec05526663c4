"""The batch endpoint: multipart/mixed in and out, Content-ID echoed, a status per part."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import httpx
from googleapiclient.http import BatchHttpRequest

from tests.conformance.conftest import timed
from tests.support.servers import EmulatorControl


def test_official_batch_runs_each_call_with_its_own_result(
    emulator: EmulatorControl, alice: Any
) -> None:
    results: dict[str, tuple[Any, Any]] = {}
    batch = BatchHttpRequest(
        callback=lambda rid, resp, exc: results.__setitem__(rid, (resp, exc)),
        batch_uri=emulator.url + "/batch/calendar/v3",
    )
    batch.add(
        alice.events().insert(
            calendarId="primary",
            body=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z", id="batch00001"),
        ),
        request_id="a",
    )
    batch.add(
        alice.events().insert(
            calendarId="primary",
            body=timed("2027-01-01T10:00:00Z", "2027-01-01T11:00:00Z", id="batch00001"),
        ),
        request_id="b",
    )
    batch.add(alice.events().get(calendarId="primary", eventId="missing00"), request_id="c")
    batch.execute()
    assert results["a"][0]["id"] == "batch00001"
    assert results["b"][1].resp.status == 409
    assert results["c"][1].resp.status == 404
    assert emulator.stats()["httpRequests"] == 1
    assert emulator.stats()["apiCalls"] == 3


def _multipart(parts: list[tuple[str, str]], boundary: str = "b0undary") -> bytes:
    chunks = []
    for content_id, http_request in parts:
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <{content_id}>\r\n\r\n"
            f"{http_request}\r\n"
        )
    chunks.append(f"--{boundary}--\r\n")
    return "".join(chunks).encode()


def _parts(response: httpx.Response) -> list[tuple[str, int, str]]:
    message = email.message_from_bytes(
        b"Content-Type: "
        + response.headers["content-type"].encode()
        + b"\r\n\r\n"
        + response.content,
        policy=email.policy.HTTP,
    )
    out = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True).decode()
        status_line, _, rest = payload.partition("\r\n")
        body = rest.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in rest else ""
        out.append((part["Content-ID"], int(status_line.split()[1]), body))
    return out


def test_raw_batch_echoes_content_ids_in_order(emulator: EmulatorControl) -> None:
    token = emulator.token("alice@example.com")
    body = (
        '{"summary": "x", "start": {"dateTime": "2027-01-01T10:00:00Z"},'
        ' "end": {"dateTime": "2027-01-01T11:00:00Z"}}'
    )
    parts = [
        (
            "item1",
            "POST /calendar/v3/calendars/primary/events?sendUpdates=none HTTP/1.1\r\n"
            "Content-Type: application/json\r\n\r\n" + body,
        ),
        ("item2", "GET /calendar/v3/calendars/primary/events/nosuch01 HTTP/1.1\r\n\r\n"),
        (
            "item3",
            "PATCH /calendar/v3/calendars/primary/events/nosuch02 HTTP/1.1\r\n"
            "Content-Type: application/json\r\n\r\n{}",
        ),
    ]
    response = httpx.post(
        emulator.url + "/batch/calendar/v3",
        content=_multipart(parts),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "multipart/mixed; boundary=b0undary",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("multipart/mixed; boundary=")
    answers = _parts(response)
    assert [(cid, status) for cid, status, _ in answers] == [
        ("<response-item1>", 200),
        ("<response-item2>", 404),
        ("<response-item3>", 404),
    ]
    assert '"summary": "x"' in answers[0][2]


def test_batch_part_without_authorization_is_401(emulator: EmulatorControl) -> None:
    parts = [("p1", "GET /calendar/v3/users/me/calendarList HTTP/1.1\r\n\r\n")]
    response = httpx.post(
        emulator.url + "/batch/calendar/v3",
        content=_multipart(parts),
        headers={"Content-Type": "multipart/mixed; boundary=b0undary"},
    )
    assert [status for _, status, _ in _parts(response)] == [401]


def test_batch_over_1000_calls_is_refused(emulator: EmulatorControl) -> None:
    token = emulator.token("alice@example.com")
    parts = [
        (f"i{n}", "GET /calendar/v3/users/me/calendarList HTTP/1.1\r\n\r\n") for n in range(1001)
    ]
    response = httpx.post(
        emulator.url + "/batch/calendar/v3",
        content=_multipart(parts),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "multipart/mixed; boundary=b0undary",
        },
    )
    assert response.status_code == 400


def test_batch_that_is_not_multipart_is_400(emulator: EmulatorControl) -> None:
    response = httpx.post(
        emulator.url + "/batch/calendar/v3",
        content=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "invalid"
