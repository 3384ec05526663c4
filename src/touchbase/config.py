"""Configuration: one settings class, read from `TOUCHBASE_*` environment variables."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-insecure-default-secret"


class Mode(StrEnum):
    """How touchbase runs."""

    PRODUCTION = "production"
    DEMO = "demo"
    TEST = "test"


class Settings(BaseSettings):
    """Everything touchbase can be configured with."""

    model_config = SettingsConfigDict(env_prefix="TOUCHBASE_", extra="ignore")

    mode: Mode = Mode.PRODUCTION
    database_url: str = "sqlite+aiosqlite:///./var/touchbase.db"
    # Encrypts Google tokens at rest (any string; a key is derived from it).
    secret_key: str = DEFAULT_SECRET
    public_url: str = "http://127.0.0.1:8000"
    # The Google OAuth client (Google Cloud console), and where Google answers.
    google_client_id: str = "touchbase-local"
    google_client_secret: str = ""
    google_base_url: str | None = Field(
        default=None, description="serve every Google endpoint from one host (the emulator)"
    )
    # Mutations per user per minute through the API (create, update, delete, resolve).
    mutations_per_minute: int = 120
    # The background pusher: how often it looks for pending changes, and its backoff ceiling.
    pusher_interval_seconds: float = 5.0
    pusher_max_backoff_seconds: float = 300.0
    # Google calls per user per minute, shared by sync, pusher and requests (Google: 600).
    google_calls_per_minute: int = 500
    # Periodic two-way sync of every connected calendar (0 turns it off), with jitter.
    sync_interval_seconds: float = 300.0
    # Browser sign-in: how long a session lasts, and whether its cookie is HTTPS-only (browsers
    # also accept such cookies from http://127.0.0.1 and http://localhost).
    session_days: float = 14.0
    # Password attempts per email per minute on the sign-in form.
    sign_in_attempts_per_minute: int = 10
    cookie_secure: bool = True
    # `touchbase demo` only: the user the sign-in page signs in with one click.
    demo_user_email: str | None = None
    # How long a request waits for Google (retries included) before answering "pending".
    request_google_budget_seconds: float = 8.0

    def check(self) -> None:
        """Refuse to run in production with a default secret."""
        if self.mode is Mode.PRODUCTION and self.secret_key == DEFAULT_SECRET:
            raise SystemExit(
                "TOUCHBASE_SECRET_KEY is the built-in default. Set a long random secret "
                "(it encrypts Google tokens at rest), or run `touchbase demo`."
            )
