"""touchbase: a self-hostable CRM calendar in two-way sync with Google Calendar."""

__version__ = "0.1.0"
