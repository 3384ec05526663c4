"""`python -m benchmarks [NAME ...]`: run the named benchmarks (all by default)."""

from __future__ import annotations

import sys

from benchmarks import (
    api_latency,
    calendar_page,
    crm,
    google_client,
    listing,
    live,
    sync,
    workers,
)

SUITES = {
    "google-client": google_client.main,
    "api-latency": api_latency.main,
    "sync": sync.main,
    "listing": listing.main,
    "crm": crm.main,
    "workers": workers.main,
    "live": live.main,
    "calendar-page": calendar_page.main,
}


def main(argv: list[str]) -> int:
    """Run each named suite, or every suite."""
    names = argv or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(SUITES)}")
        return 2
    for name in names:
        SUITES[name]()
    return 0


raise SystemExit(main(sys.argv[1:]))
