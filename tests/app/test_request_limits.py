"""Bodies over 1 MiB are refused before anything reads them (authenticated or not); answers for
one person are never cached."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.app import AppHarness

MIB = 1024 * 1024


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("path", ["/api/calendar/events", "/api/contacts", "/login"])
def test_a_declared_large_body_is_413_before_authentication(app: AppHarness, path: str) -> None:
    answer = httpx.post(
        app.url + path,
        content=b"x" * (2 * MIB),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "REQUEST_TOO_LARGE"


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b'{"title": "' if sent == 0 else b"x" * 65536
        sent += 65536


def _stream(url: str, token: str | None) -> int | None:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        return httpx.post(url, content=_chunks(50 * MIB), headers=headers, timeout=30).status_code
    except httpx.HTTPError:  # the server may close the connection while we still send
        return None


def test_bodies_without_a_length_are_cut_at_the_limit_and_memory_stays_flat(
    app: AppHarness,
) -> None:
    alice = app.user()
    token = alice.api.headers["authorization"].split()[1]
    before = _peak_rss_mib()
    url = app.url + "/api/calendar/events"
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: _stream(url, token if n % 2 else None), range(8)))
    assert all(code in (401, 413, None) for code in codes), codes
    assert 413 in codes
    # Eight 50 MiB bodies, each read to at most 1 MiB: the process barely grows.
    assert _peak_rss_mib() - before < 64
    assert httpx.get(app.url + "/api/health").status_code == 200
    assert alice.create(title="still fine").status_code == 201


def test_a_body_within_the_limit_is_read_and_one_past_it_is_a_json_413(app: AppHarness) -> None:
    alice = app.user()
    answer = alice.create(title="Notes", description="y" * 8000)
    assert answer.status_code == 201, answer.text
    streamed = alice.api.post("/api/calendar/events", content=_chunks(2 * MIB))
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "REQUEST_TOO_LARGE"


def test_api_answers_and_pages_are_not_cached(app: AppHarness) -> None:
    alice = app.user(connect=False)
    listing = alice.api.get("/api/contacts")
    assert listing.headers["cache-control"] == "no-store"
    assert httpx.get(app.url + "/login").headers["cache-control"] == "no-store"
    unknown = alice.api.get("/api/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "NOT_FOUND"
