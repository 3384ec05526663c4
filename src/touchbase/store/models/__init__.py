"""The tables. The schema itself is made by the Alembic migrations in `migrations/`; importing
this package registers every table (and the event rows' listeners) on `Base.metadata`."""

from touchbase.store.models.accounts import (
    ApiToken,
    GoogleConnection,
    GoogleQuota,
    OAuthState,
    User,
    WebSession,
)
from touchbase.store.models.base import ID, MAX_EMAIL, NAMING, Base
from touchbase.store.models.calendars import (
    ACCESS_ROLES,
    BUSY_ONLY_ROLE,
    READ_ONLY_ROLES,
    SHARED_ROLES,
    Calendar,
    SyncRun,
    WatchChannel,
    a_persons_calendar,
)
from touchbase.store.models.crm import Contact, ContactEmail, Interaction, Touchpoint
from touchbase.store.models.events import AuditEntry, Conflict, Event, EventGuest, guest_emails

__all__ = [
    "ACCESS_ROLES",
    "BUSY_ONLY_ROLE",
    "ID",
    "MAX_EMAIL",
    "NAMING",
    "READ_ONLY_ROLES",
    "SHARED_ROLES",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Calendar",
    "Conflict",
    "Contact",
    "ContactEmail",
    "Event",
    "EventGuest",
    "GoogleConnection",
    "GoogleQuota",
    "Interaction",
    "OAuthState",
    "SyncRun",
    "Touchpoint",
    "User",
    "WatchChannel",
    "WebSession",
    "a_persons_calendar",
    "guest_emails",
]
