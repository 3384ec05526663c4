"""The Google Calendar v3 client: async, typed, retrying, batch-capable.

Imports only `touchbase.domain` and `touchbase.errors`; knows nothing of the database.
"""

from touchbase.google.auth import (
    Credentials,
    GoogleEndpoints,
    OAuthClient,
    OAuthCredentials,
    StaticToken,
    TokenSet,
)
from touchbase.google.batching import BatchResult
from touchbase.google.client import EventListing, GoogleCalendarClient
from touchbase.google.models import CalendarListEntry, Channel, EventResource, EventsPage
from touchbase.google.operations import (
    DeleteEvent,
    GetEvent,
    InsertEvent,
    Operation,
    PatchEvent,
    UpdateEvent,
)
from touchbase.google.retry import RetryPolicy

__all__ = [
    "BatchResult",
    "CalendarListEntry",
    "Channel",
    "Credentials",
    "DeleteEvent",
    "EventListing",
    "EventResource",
    "EventsPage",
    "GetEvent",
    "GoogleCalendarClient",
    "GoogleEndpoints",
    "InsertEvent",
    "OAuthClient",
    "OAuthCredentials",
    "Operation",
    "PatchEvent",
    "RetryPolicy",
    "StaticToken",
    "TokenSet",
    "UpdateEvent",
]
