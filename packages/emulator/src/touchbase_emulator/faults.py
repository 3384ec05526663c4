"""Faults, latency and throttling that a test can switch on through the control API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from touchbase_emulator.clock import monotonic
from touchbase_emulator.errors import ApiError


@dataclass
class FaultRule:
    """Make the next `times` matching calls fail, slow down, or drop their connection."""

    times: int = 1
    method: str | None = None
    path: str | None = None  # a regular expression searched in the path
    user: str | None = None
    status: int | None = None
    reason: str | None = None
    message: str | None = None
    latency_ms: int = 0
    drop: str | None = None  # "before" the call runs, or "after" it ran
    retry_after: int | None = None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> FaultRule:
        """A rule from its control-API JSON (camelCase keys)."""
        names = {"latencyMs": "latency_ms", "retryAfter": "retry_after"}
        rule = cls(**{names.get(k, k): v for k, v in raw.items()})
        if rule.drop not in (None, "before", "after"):
            raise ValueError("drop must be 'before' or 'after'")
        if rule.path is not None:
            re.compile(rule.path)
        return rule

    def matches(self, method: str, path: str, user: str | None) -> bool:
        """Whether this rule applies to a call."""
        return (
            self.times > 0
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or re.search(self.path, path) is not None)
            and (self.user is None or self.user == user)
        )

    def error(self) -> ApiError:
        """The Google error this rule answers with."""
        assert self.status is not None
        reason = self.reason or _DEFAULT_REASONS.get(self.status, "backendError")
        domain = "usageLimits" if reason in _USAGE_LIMITS else "global"
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        return ApiError(
            self.status, reason, self.message or _message(reason), domain=domain, headers=headers
        )


_DEFAULT_REASONS = {
    400: "invalid",
    401: "authError",
    403: "rateLimitExceeded",
    404: "notFound",
    409: "duplicate",
    410: "deleted",
    412: "conditionNotMet",
    429: "rateLimitExceeded",
}
_USAGE_LIMITS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}


def _message(reason: str) -> str:
    return {
        "rateLimitExceeded": "Rate Limit Exceeded",
        "userRateLimitExceeded": "User Rate Limit Exceeded",
        "quotaExceeded": "Calendar usage limits exceeded.",
        "backendError": "Backend Error",
    }.get(reason, reason)


@dataclass
class FaultInjector:
    """The active fault rules, consumed in order."""

    rules: list[FaultRule] = field(default_factory=list)

    def take(self, method: str, path: str, user: str | None) -> FaultRule | None:
        """The first rule matching this call, with one use consumed."""
        for rule in self.rules:
            if rule.matches(method, path, user):
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
                return rule
        return None


@dataclass
class RateLimiter:
    """A per-user token bucket: `per_minute` calls, refilled continuously."""

    per_minute: int = 0  # 0 = unlimited
    status: int = 403
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    refused: int = 0  # calls answered with the throttling error

    def check(self, user: str) -> None:
        """Spend one call of `user`'s budget, or raise Google's throttling error."""
        if self.per_minute <= 0:
            return
        now = monotonic()
        tokens, then = self.buckets.get(user, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - then) * self.per_minute / 60)
        if tokens < 1:
            self.buckets[user] = (tokens, now)
            self.refused += 1
            wait = max(1, int((1 - tokens) * 60 / self.per_minute + 0.999))
            reason = "rateLimitExceeded"
            raise ApiError(
                self.status,
                reason,
                "Rate Limit Exceeded",
                domain="usageLimits",
                headers={"Retry-After": str(wait)},
            )
        self.buckets[user] = (tokens - 1, now)


@dataclass
class Stats:
    """What the emulator has served, for tests and benchmarks."""

    http_requests: int = 0
    api_calls: int = 0
    by_method: dict[str, int] = field(default_factory=dict)

    def count_call(self, method_id: str) -> None:
        """One API call (a batch part counts as one)."""
        self.api_calls += 1
        self.by_method[method_id] = self.by_method.get(method_id, 0) + 1

    def as_json(self) -> dict[str, Any]:
        """The counters as JSON."""
        return {
            "httpRequests": self.http_requests,
            "apiCalls": self.api_calls,
            "byMethod": dict(self.by_method),
        }
