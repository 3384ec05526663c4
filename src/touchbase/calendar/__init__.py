"""Calendar use cases (the seed's lib/calendar): events, conflicts, two-way sync."""
