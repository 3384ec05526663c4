"""Background work on a job queue: push a calendar's changes, sync a calendar, and the
periodic tick (reconcile and backstop sync). Procrastinate runs it on PostgreSQL (worker
processes); the in-process runner on SQLite."""
