"""Configuration: one settings class, read from `TOUCHBASE_*` environment variables."""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-insecure-default-secret"
PLACEHOLDER_CLIENT_ID = "touchbase-local"
MIN_SECRET = 32
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# The URL forms people write, and the drivers touchbase runs on (SQLite: its own, in
# store/sqlite_driver.py; an older aiosqlite URL still works).
_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+aiosqlite": "sqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+asyncpg": None,
    "postgresql+psycopg2": "postgresql+psycopg",
}


class ConfigurationError(SystemExit):
    """A setting touchbase cannot run with: one line naming the variable and the fix."""


def database_url(value: str) -> str:
    """The URL with the async driver touchbase uses (`sqlite:///` and `postgresql://` work)."""
    scheme, sep, rest = value.partition("://")
    driver = _DRIVERS.get(scheme.lower()) if sep else None
    if driver is None:
        raise ValueError(
            "use sqlite:///path/to/file.db or postgresql://user:password@host/database"
        )
    return f"{driver}://{rest}"


class Mode(StrEnum):
    """How touchbase runs."""

    PRODUCTION = "production"
    DEMO = "demo"
    TEST = "test"


class Settings(BaseSettings):
    """Everything touchbase can be configured with."""

    model_config = SettingsConfigDict(env_prefix="TOUCHBASE_", extra="ignore")

    mode: Mode = Mode.PRODUCTION
    database_url: str = "sqlite:///./var/touchbase.db"
    # Encrypts Google tokens at rest (any string; a key is derived from it).
    secret_key: str = DEFAULT_SECRET
    public_url: str = "http://127.0.0.1:8000"
    # The Google OAuth client (Google Cloud console), and where Google answers.
    google_client_id: str = PLACEHOLDER_CLIENT_ID
    google_client_secret: str = ""
    # False: touchbase runs without Google Calendar (a deliberate choice in production).
    google_enabled: bool = True
    google_base_url: str | None = Field(
        default=None, description="serve every Google endpoint from one host (the emulator)"
    )
    # Mutations per user per minute through the API (create, update, delete, resolve).
    mutations_per_minute: int = 120
    # Event streams (open pages, a sync's progress) one user may hold open in one process.
    live_streams_per_user: int = Field(default=16, ge=1)
    # The job queue's tick: how often it defers the pushes and backstop syncs no job covers.
    job_tick_seconds: float = 10.0
    # Jobs one process runs at once (`touchbase worker --concurrency` overrides it).
    job_concurrency: int = 4
    # False: `serve` runs no jobs, it only defers them (worker processes run them; PostgreSQL).
    jobs_in_process: bool = True
    # False: requests leave every push to the job queue instead of pushing before answering.
    push_in_request: bool = True
    # How long after a change commits its push job runs (None: the request's Google budget
    # and 2 s, as the request pushes at once itself; 0 when requests do not push).
    push_delay_seconds: float | None = None
    # A worker whose heartbeat is this old is dead, and its jobs are retried (PostgreSQL).
    stalled_worker_seconds: float = 30.0
    # How long a pusher holds a change before another may take it (one whose process died).
    push_lease_seconds: float = 60.0
    # Ceiling of the backoff between attempts to push a change Google refused for now.
    pusher_max_backoff_seconds: float = 300.0
    # Google calls per user per minute, shared by sync, pusher and requests (Google: 600).
    google_calls_per_minute: int = 500
    # Periodic two-way sync of every connected calendar (0 turns it off), with jitter.
    sync_interval_seconds: float = 300.0
    # Ask Google for push notifications (a watch channel per synced calendar) where it can
    # send them: TOUCHBASE_PUBLIC_URL is https, or Google is the emulator on loopback.
    push_notifications: bool = True
    # How long a notification's sync waits for the rest of a burst (one sync for all).
    notification_sync_delay_seconds: float = Field(default=0.5, ge=0)
    # The backstop sync of a calendar Google sends push notifications for (they are not
    # guaranteed to arrive); never off.
    sync_interval_live_seconds: float = Field(default=3600.0, gt=0)
    # How often each user's cadences move their touchpoints later after meetings held (on
    # the calendar, with the contact) since they were planned.
    cadence_review_seconds: float = Field(default=600.0, gt=0)
    # Browser sign-in: how long a session lasts, and whether its cookie is HTTPS-only (browsers
    # also accept such cookies from http://127.0.0.1 and http://localhost).
    session_days: float = 14.0
    # A session unused this long ends (sign in again).
    session_idle_hours: float = 12.0
    # Password attempts per email per minute on the sign-in form.
    sign_in_attempts_per_minute: int = 10
    cookie_secure: bool = True
    # `touchbase demo` only: the user the sign-in page signs in with one click.
    demo_user_email: str | None = None
    # How long a request waits for Google (retries included) before answering "pending".
    request_google_budget_seconds: float = 8.0

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return database_url(value)

    def notification_address(self) -> str | None:
        """Where Google sends push notifications: the public URL when it is https (Google
        accepts nothing else), or any when Google is the emulator on loopback; None: no
        channel can be made (or none is wanted), and calendars are polled."""
        address = self.public_url.rstrip("/") + "/api/google/notifications"
        if not self.push_notifications:
            return None
        if self.public_url.startswith("https://"):
            return address
        emulator = urlsplit(self.google_base_url).hostname if self.google_base_url else None
        return address if emulator in LOOPBACK_HOSTS else None

    def check(self) -> None:
        """Refuse to run in production with a weak secret or no Google OAuth client, and
        anywhere to leave jobs to worker processes that SQLite cannot have."""
        if not self.jobs_in_process and self.database_url.startswith("sqlite"):
            raise ConfigurationError(
                "Worker processes need PostgreSQL (TOUCHBASE_DATABASE_URL=postgresql://...): "
                "with SQLite, `touchbase serve` runs the jobs itself (no --no-jobs, and "
                "TOUCHBASE_JOBS_IN_PROCESS=true)."
            )
        if self.mode is not Mode.PRODUCTION:
            return
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < MIN_SECRET:
            raise ConfigurationError(
                f"TOUCHBASE_SECRET_KEY must be a random secret of at least {MIN_SECRET} "
                "characters (it encrypts Google tokens at rest): for example "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`; "
                "or run `touchbase demo`."
            )
        no_client = self.google_client_id == PLACEHOLDER_CLIENT_ID or not self.google_client_secret
        if self.google_enabled and not self.google_base_url and no_client:
            raise ConfigurationError(
                "TOUCHBASE_GOOGLE_CLIENT_ID and TOUCHBASE_GOOGLE_CLIENT_SECRET must name your "
                "OAuth client from the Google Cloud console (see the README), or set "
                "TOUCHBASE_GOOGLE_ENABLED=false to run without Google Calendar."
            )


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment; ConfigurationError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "TOUCHBASE_" + "_".join(str(p) for p in error["loc"]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {message} (got {error.get('input')!r})")
        raise ConfigurationError("\n".join(lines)) from None
