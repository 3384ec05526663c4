"""A time zone as people and other programs write it, read as the IANA name it means: the
name itself, Windows' name for it ("W. Europe Standard Time"), an everyday name ("Eastern
Time", "Central European Summer Time"), or a city ("Berlin", "(UTC+01:00) Amsterdam, Berlin,
Bern, Rome, Stockholm, Vienna", as Windows shows its zones)."""

from __future__ import annotations

import re
from functools import cache

from tzlocal.windows_tz import win_tz

from touchbase.domain.validation import is_valid_time_zone, zone_names

# Everyday names, with the zone CLDR takes as each one's own ("Central European" is Paris's):
# as CRMs and Outlook export them ("Eastern Time", "(GMT-05:00) Eastern Time (US & Canada)",
# "Pacific Standard Time", "British Summer Time").
_EVERYDAY_ZONES = {
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "atlantic": "America/Halifax",
    "newfoundland": "America/St_Johns",
    "british": "Europe/London",
    "irish": "Europe/Dublin",
    "western european": "Europe/Lisbon",
    "central european": "Europe/Paris",
    "eastern european": "Europe/Bucharest",
    "moscow": "Europe/Moscow",
    "india": "Asia/Kolkata",
    "indian": "Asia/Kolkata",
    "china": "Asia/Shanghai",
    "japan": "Asia/Tokyo",
    "korea": "Asia/Seoul",
    "australian western": "Australia/Perth",
    "australian central": "Australia/Adelaide",
    "australian eastern": "Australia/Sydney",
    "new zealand": "Pacific/Auckland",
}
# Longest first: "central european time" is not "central time".
_EVERYDAY_WORDS = re.compile(
    r"\b("
    + "|".join(sorted(_EVERYDAY_ZONES, key=len, reverse=True)).replace(" ", r"\s+")
    + r")(?:\s+(?:standard|daylight|summer))?\s+time\b",
    re.IGNORECASE,
)
# Abbreviations people write for a zone that keeps daylight time. Read before IANA's names:
# IANA's "EST" is a fixed UTC-5, an hour off New York's clock all summer, which is not what
# "EST" in a spreadsheet means. Ambiguous ones are left as they are ("IST": India, Ireland or
# Israel; "MST": Denver, or Phoenix, which IANA's fixed "MST" is).
_ABBREVIATIONS = {
    "est": "America/New_York",
    "edt": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "mdt": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "akst": "America/Anchorage",
    "akdt": "America/Anchorage",
    "bst": "Europe/London",
    "cest": "Europe/Paris",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
    "jst": "Asia/Tokyo",
}
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z_-]*(?:/[A-Za-z0-9_+-]+)+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'.-]*")
# The regions whose zones are named by a city: not the old aliases (US/Eastern), nor
# Antarctica's stations (named after people).
_CITY_REGIONS = frozenset(
    ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
)
# The most words of a city's name ("Port of Spain").
_CITY_WORDS = 3


@cache
def _windows_zones() -> dict[str, str]:
    """Windows' zone names (CLDR's table, as tzlocal keeps it), in lower case."""
    return {name.lower(): zone for name, zone in win_tz.items()}


@cache
def _zones_by_city() -> dict[str, str]:
    """Each city's zone, by the city's name in lower case ("los angeles")."""
    cities: dict[str, str] = {}
    for name in sorted(zone_names()):
        region, _, place = name.partition("/")
        if region in _CITY_REGIONS and place:
            cities.setdefault(place.rsplit("/", 1)[-1].replace("_", " ").lower(), name)
    return cities


def _city_zone(text: str) -> str | None:
    """The zone of the first city the text names (the longest name at each word)."""
    words = [word.lower() for word in _WORD.findall(text)]
    cities = _zones_by_city()
    for start in range(len(words)):
        for count in range(min(_CITY_WORDS, len(words) - start), 0, -1):
            found = cities.get(" ".join(words[start : start + count]))
            if found is not None:
                return found
    return None


def zone_read(cell: str | None) -> str | None:
    """A time zone as the IANA name it means: the name itself, written with spaces for its
    underscores ("America/New York"), among other words ("(GMT-05:00) America/New_York"),
    a Windows zone's name ("W. Europe Standard Time"), an everyday name ("Eastern Time"),
    an abbreviation ("PST"), or a city's name; else the text as it is, for the contact's
    check to name."""
    text = (cell or "").strip()
    if not text:
        return None
    abbreviated = _ABBREVIATIONS.get(text.strip("()").lower())
    if abbreviated is not None:
        return abbreviated
    underscored = text.replace(" ", "_")
    named: list[str] = _ZONE_NAME.findall(underscored)
    for name in (text, underscored, *named):
        if is_valid_time_zone(name):
            return name
    windows = _windows_zones().get(" ".join(text.lower().split()))
    if windows is not None and is_valid_time_zone(windows):
        return windows  # before the everyday names: "US Mountain Standard Time" is Phoenix
    everyday = _EVERYDAY_WORDS.search(text)
    if everyday is not None:
        return _EVERYDAY_ZONES[" ".join(everyday.group(1).lower().split())]
    return _city_zone(text) or text
