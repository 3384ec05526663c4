"""Errors, retries and credentials: the client against a failing emulator."""

from __future__ import annotations

import math

import httpx
import pytest

from tests.google.conftest import ALICE, FAST, RecordingSleep, meeting
from tests.support.servers import EmulatorControl, free_port
from touchbase.errors import (
    AuthorizationExpiredError,
    ConflictError,
    DuplicateEventError,
    EventNotFoundError,
    GoogleUnavailableError,
    InvalidEventError,
    NotOrganizerError,
    PermissionDeniedError,
    RateLimitError,
    ReadOnlyCalendarError,
)
from touchbase.google import (
    DeleteEvent,
    GetEvent,
    GoogleCalendarClient,
    GoogleEndpoints,
    InsertEvent,
    OAuthClient,
    OAuthCredentials,
    StaticToken,
)
from touchbase.google.auth import SCOPE_EVENTS
from touchbase.google.mapping import to_domain

SCOPE = "https://www.googleapis.com/auth/"


async def test_429_then_success_is_retried(
    client: GoogleCalendarClient, emulator: EmulatorControl, sleep: RecordingSleep
) -> None:
    emulator.fault(method="POST", status=429, times=2)
    created = await client.insert_event("primary", meeting())
    assert created.summary == "Call with Dana"
    assert emulator.stats()["byMethod"]["calendar.v3.Events.Insert"] == 3
    assert len(sleep.delays) == 2


async def test_retry_after_is_honoured(
    client: GoogleCalendarClient, emulator: EmulatorControl, sleep: RecordingSleep
) -> None:
    emulator.fault(method="GET", status=403, reason="userRateLimitExceeded", retryAfter=3)
    await client.list_calendars()
    assert sleep.delays == [3.0]


async def test_503_storm_gives_up_after_bounded_attempts(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.fault(method="POST", status=503, times=100)
    with pytest.raises(GoogleUnavailableError) as caught:
        await client.insert_event("primary", meeting())
    assert caught.value.code == "CALENDAR_UNAVAILABLE"
    assert caught.value.retryable
    assert caught.value.details["attempts"] == FAST.max_attempts
    assert emulator.stats()["httpRequests"] == FAST.max_attempts


async def test_rate_limit_that_persists_becomes_rate_limit_error(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.fault(status=429, times=100)
    with pytest.raises(RateLimitError) as caught:
        await client.list_calendars()
    assert caught.value.code == "CALENDAR_RATE_LIMIT"


@pytest.mark.parametrize(
    ("status", "reason", "error_type", "code"),
    [
        (400, "invalid", InvalidEventError, "CALENDAR_INVALID_EVENT"),
        (403, "forbiddenForNonOrganizer", NotOrganizerError, "CALENDAR_ORGANIZER_ONLY"),
        (403, "requiredAccessLevel", ReadOnlyCalendarError, "CALENDAR_READ_ONLY"),
        (404, "notFound", EventNotFoundError, "CALENDAR_EVENT_NOT_FOUND"),
        (409, "duplicate", DuplicateEventError, "CALENDAR_DUPLICATE_EVENT"),
        (410, "deleted", EventNotFoundError, "CALENDAR_EVENT_NOT_FOUND"),
        (412, "conditionNotMet", ConflictError, "CALENDAR_CONFLICT"),
    ],
)
async def test_permanent_errors_are_typed_and_never_retried(
    client: GoogleCalendarClient,
    emulator: EmulatorControl,
    status: int,
    reason: str,
    error_type: type[Exception],
    code: str,
) -> None:
    emulator.fault(method="POST", status=status, reason=reason, times=5)
    with pytest.raises(error_type) as caught:
        await client.insert_event("primary", meeting())
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert emulator.stats()["httpRequests"] == 1


async def test_dropped_connection_before_insert_is_retried_once(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.fault(method="POST", drop="before")
    created = await client.insert_event("primary", meeting())
    listed = await client.list_events("primary").items()
    assert [e.id for e in listed] == [created.id]


async def test_insert_that_landed_before_the_connection_dropped_is_adopted(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.fault(method="POST", drop="after")
    created = await client.insert_event("primary", meeting())
    listed = await client.list_events("primary").items()
    assert [e.id for e in listed] == [created.id]
    assert emulator.stats()["byMethod"]["calendar.v3.Events.Insert"] == 2


async def test_patch_that_landed_before_the_connection_dropped_is_not_a_conflict(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    base = to_domain(await client.insert_event("primary", meeting()))
    emulator.fault(method="PATCH", drop="after")
    target = base.replace(title="Renamed")
    patched = await client.patch_event(
        "primary", base.id or "", base=base, target=target, etag=base.etag
    )
    assert patched.summary == "Renamed"


async def test_delete_that_landed_before_the_connection_dropped_succeeds(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    created = await client.insert_event("primary", meeting())
    emulator.fault(method="DELETE", drop="after")
    await client.delete_event("primary", created.id, etag=created.etag)
    gone = await client.get_event("primary", created.id)
    assert gone is not None
    assert gone.is_cancelled


async def test_retried_patch_meeting_a_real_change_is_still_a_conflict(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    base = to_domain(await client.insert_event("primary", meeting()))
    other = await client.patch_event(
        "primary",
        base.id or "",
        base=base,
        target=base.replace(title="Changed elsewhere"),
        etag=base.etag,
    )
    assert other.etag != base.etag
    emulator.fault(method="PATCH", status=503)
    with pytest.raises(ConflictError):
        await client.patch_event(
            "primary", base.id or "", base=base, target=base.replace(title="Mine"), etag=base.etag
        )


async def test_read_only_token_is_permission_denied_with_reconnect_action(
    emulator: EmulatorControl,
) -> None:
    token = emulator.token(ALICE, [SCOPE + "calendar.events.readonly"])
    async with GoogleCalendarClient(
        StaticToken(token), endpoints=GoogleEndpoints.at(emulator.url)
    ) as google:
        with pytest.raises(PermissionDeniedError) as caught:
            await google.insert_event("primary", meeting())
    assert caught.value.code == "CALENDAR_PERMISSION_DENIED"
    assert "Reconnect" in (caught.value.action or "")
    assert caught.value.details["googleReason"] == "insufficientPermissions"


async def _oauth_tokens(emulator: EmulatorControl, http: httpx.AsyncClient) -> OAuthClient:
    return OAuthClient(
        client_id="crm",
        client_secret="secret",
        endpoints=GoogleEndpoints.at(emulator.url),
        http=http,
    )


async def test_oauth_code_flow_then_expired_access_token_is_refreshed(
    emulator: EmulatorControl,
) -> None:
    async with httpx.AsyncClient() as http:
        oauth = await _oauth_tokens(emulator, http)
        redirect = "http://127.0.0.1:9/callback"
        request = oauth.authorization_request(
            redirect_uri=redirect, scopes=[SCOPE_EVENTS], login_hint=ALICE
        )
        answer = await http.get(request.url)
        assert answer.status_code == 302
        callback = httpx.URL(answer.headers["location"])
        assert callback.params["state"] == request.state
        tokens = await oauth.exchange_code(
            callback.params["code"], redirect_uri=redirect, code_verifier=request.code_verifier
        )
        assert tokens.can_write
        assert tokens.refresh_token
        stored: list[str] = []

        async def remember(new: object) -> None:
            stored.append(getattr(new, "access_token", ""))

        credentials = OAuthCredentials(oauth=oauth, tokens=tokens, on_refresh=remember)
        async with GoogleCalendarClient(credentials, endpoints=oauth.endpoints) as google:
            await google.insert_event("primary", meeting())
            emulator.post("/tokens/expire")
            await google.insert_event("primary", meeting("after refresh"))
            assert len(stored) == 1
            assert credentials.tokens.access_token == stored[0] != tokens.access_token
            await oauth.revoke(tokens.refresh_token or "")
            emulator.post("/tokens/expire")
            with pytest.raises(AuthorizationExpiredError) as caught:
                await google.list_calendars()
    assert caught.value.code == "CALENDAR_AUTHORIZATION_EXPIRED"


async def test_static_token_that_expired_is_authorization_expired(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.post("/tokens/expire")
    with pytest.raises(AuthorizationExpiredError):
        await client.list_calendars()


async def test_base_url_is_configurable(emulator: EmulatorControl) -> None:
    default = GoogleEndpoints()
    assert default.api == "https://www.googleapis.com"
    assert default.token == "https://oauth2.googleapis.com/token"
    moved = GoogleEndpoints.at(emulator.url + "/")
    assert moved.api == emulator.url
    assert moved.authorize == emulator.url + "/o/oauth2/v2/auth"


async def test_batch_splits_into_requests_of_50_with_results_per_operation(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    ops = [InsertEvent("primary", meeting(f"m{n}")) for n in range(120)]
    results = await client.batch(ops)
    assert all(r.ok for r in results)
    assert emulator.stats()["httpRequests"] == math.ceil(120 / 50)
    ids = [r.event.id for r in results if r.event]
    assert len(set(ids)) == 120
    emulator.http.delete(emulator.url + "/_emulator/stats")
    mixed = await client.batch(
        [
            GetEvent("primary", ids[0]),
            DeleteEvent("primary", ids[1], etag='"stale"'),
            GetEvent("primary", "nosuchevent"),
            InsertEvent("primary", meeting("x" * 2000)),
        ]
    )
    assert mixed[0].ok
    assert mixed[0].event
    assert mixed[0].event.id == ids[0]
    assert isinstance(mixed[1].error, ConflictError)
    assert isinstance(mixed[2].error, EventNotFoundError)
    assert isinstance(mixed[3].error, InvalidEventError)
    assert emulator.stats()["apiCalls"] == 3


async def test_batch_retries_only_the_parts_that_failed_transiently(
    client: GoogleCalendarClient, emulator: EmulatorControl, sleep: RecordingSleep
) -> None:
    emulator.fault(method="POST", path="/events$", status=503, times=3)
    results = await client.batch([InsertEvent("primary", meeting(f"m{n}")) for n in range(10)])
    assert all(r.ok for r in results)
    listed = await client.list_events("primary").items()
    assert len(listed) == 10
    assert emulator.stats()["byMethod"]["calendar.v3.Events.Insert"] == 13
    assert len(sleep.delays) == 1


async def test_batch_part_whose_answer_was_lost_is_adopted_not_duplicated(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.fault(method="POST", path="/events$", drop="after", times=2)
    results = await client.batch([InsertEvent("primary", meeting(f"m{n}")) for n in range(5)])
    assert all(r.ok for r in results), [r.error for r in results]
    assert len(await client.list_events("primary").items()) == 5


async def test_whole_batch_request_dropped_is_retried(
    client: GoogleCalendarClient, emulator: EmulatorControl
) -> None:
    emulator.fault(path="^/batch/", drop="after")
    results = await client.batch([InsertEvent("primary", meeting(f"m{n}")) for n in range(3)])
    assert all(r.ok for r in results), [r.error for r in results]
    assert len(await client.list_events("primary").items()) == 3


async def test_network_refused_is_unavailable(sleep: RecordingSleep) -> None:
    endpoints = GoogleEndpoints.at(f"http://127.0.0.1:{free_port()}")
    async with GoogleCalendarClient(
        StaticToken("t"), endpoints=endpoints, retry=FAST, sleep=sleep
    ) as google:
        with pytest.raises(GoogleUnavailableError) as caught:
            await google.list_calendars()
    assert caught.value.details["network"] == "ConnectError"
    assert len(sleep.delays) == FAST.max_attempts - 1
