"""Contacts files are untrusted text: whatever they hold, parsing gives records or says why
the file cannot be read, never another error, and sizes are capped."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchbase.domain.contact_import import MAX_IMPORT_ROWS, ImportFileError, parse_contacts
from touchbase.domain.zone_names import zone_read

VCARD_LINES = st.sampled_from(
    [
        "BEGIN:VCARD",
        "END:VCARD",
        "VERSION:3.0",
        "FN:A",
        "N:B;C;;;",
        "EMAIL:a@b.example",
        "ORG:;",
        "TZ:-05:00",
        "X;Y:Z",
        ":",
        "BEGIN:VCALENDAR",
        " folded",
        "NOTE:\\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["csv", "vcard"]), text=st.text(max_size=400))
def test_any_text_parses_or_is_refused_as_a_file(kind: str, text: str) -> None:
    with contextlib.suppress(ImportFileError):
        parse_contacts(kind, text)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(VCARD_LINES, max_size=30))
def test_any_vcard_shaped_text_parses_or_is_refused(lines: list[str]) -> None:
    try:
        parsed = parse_contacts("vcard", "\r\n".join(lines))
    except ImportFileError:
        return
    for record in parsed.records:
        assert record.problems or record.fields.name


def test_a_file_over_the_limits_is_refused_whole() -> None:
    rows = "name\n" + "x\n" * (MAX_IMPORT_ROWS + 1)
    with pytest.raises(ImportFileError, match="5,000"):
        parse_contacts("csv", rows)
    with pytest.raises(ImportFileError, match="characters"):
        parse_contacts("csv", "name\n" + "x" * 1_000_000)
    with pytest.raises(ImportFileError, match="Row"):
        parse_contacts("csv", 'name\n"' + "x" * 200_000)  # a field over csv's limit


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_quote_inside_a_quoted_cell_is_read_as_one_quote(delimiter: str) -> None:
    """As RFC 4180 writes it (doubled), though the header has no quotes to guess from."""
    header = delimiter.join(["Name", "Title", "Notes"])
    row = delimiter.join(["Dana", '"Head of ""Sales"", EMEA"', '"She said ""hi"""'])
    [record] = parse_contacts("csv", f"{header}\n{row}\n").records
    assert (record.fields.title, record.fields.notes) == ('Head of "Sales", EMEA', 'She said "hi"')


@pytest.mark.parametrize(
    ("cell", "zone"),
    [
        ("America/New_York", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("America/Argentina/Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("(GMT+01:00) Europe/Berlin", "Europe/Berlin"),
        ("Eastern Time", "America/New_York"),
        ("(GMT-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("central daylight time", "America/Chicago"),
        ("US/Pacific", "US/Pacific"),
        ("EST", "America/New_York"),  # not IANA's "EST", a fixed UTC-5 all summer
        ("PST", "America/Los_Angeles"),
        ("(CEST)", "Europe/Paris"),
        ("MST", "MST"),  # Denver's or Phoenix's: IANA's fixed UTC-7 is Phoenix's
        ("", None),
        ("Central European Time", "Europe/Paris"),  # CLDR's zone for it
        ("Central European Summer Time", "Europe/Paris"),
        ("British Summer Time", "Europe/London"),
        ("India Standard Time", "Asia/Calcutta"),  # Windows' name, CLDR's zone
        ("Indian Standard Time", "Asia/Kolkata"),
        ("US Mountain Standard Time", "America/Phoenix"),  # Windows': no daylight time
        ("GMT Standard Time", "Europe/London"),
        ("Berlin", "Europe/Berlin"),
        ("los angeles", "America/Los_Angeles"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Amsterdam"),
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Olympus Mons Standard Time", "Olympus Mons Standard Time"),  # left for the check
        ("Mars/Olympus Mons", "Mars/Olympus Mons"),
        ("Casey", "Casey"),  # Antarctica's stations are named after people
    ],
)
def test_a_time_zone_cell_reads_as_the_iana_name_it_means(cell: str, zone: str | None) -> None:
    assert zone_read(cell) == zone


def test_a_zone_cell_it_cannot_read_is_the_records_problem_naming_the_field() -> None:
    text = "Name,Email,Time Zone\nAnn,ann@acme.example,Eastern Time\nBen,ben@acme.example,Mars\n"
    ann, ben = parse_contacts("csv", text).records
    assert (ann.fields.time_zone, ann.problems) == ("America/New_York", ())
    assert [p.field for p in ben.problems] == ["timeZone"]


@pytest.mark.parametrize(
    ("tz", "zone"),
    [
        ("America/Chicago", "America/Chicago"),
        ("EST", "America/New_York"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("-05:00", None),  # an offset names no zone
        ("+0530", None),
        ("UTC+01:00", None),
    ],
)
def test_a_vcards_tz_reads_as_its_zone_and_an_offset_as_none(tz: str, zone: str | None) -> None:
    card = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nTZ:{tz}\r\nEND:VCARD\r\n"
    [ann] = parse_contacts("vcard", card).records
    assert (ann.fields.time_zone, ann.problems) == (zone, ())
