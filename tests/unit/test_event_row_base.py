"""An event row keeps its base once when it equals `local` (store/models/events.py)."""

from __future__ import annotations

from touchbase.store.models import Event


def _synced(local: dict[str, str]) -> Event:
    row = Event(local=local, etag='"1"')
    row.base = row.local  # what a sync stores: the column stays NULL
    return row


def test_a_synced_row_reads_local_as_its_base_without_a_copy() -> None:
    row = _synced({"title": "From Google"})
    assert row.stored_base is None
    assert row.base == {"title": "From Google"}


def test_changing_local_keeps_the_base_it_had() -> None:
    row = _synced({"title": "From Google"})
    row.local = {"title": "Edited here"}
    assert row.base == {"title": "From Google"}
    assert row.stored_base == {"title": "From Google"}


def test_a_row_never_in_google_has_no_base() -> None:
    row = Event(local={"title": "Made here"}, base=None, etag=None)
    row.local = {"title": "Edited before the push"}
    assert row.base is None


def test_a_different_base_is_stored() -> None:
    row = _synced({"title": "Mine"})
    row.base = {"title": "Google's"}
    assert row.stored_base == {"title": "Google's"}
    row.local = {"title": "Mine, again"}
    assert row.base == {"title": "Google's"}
