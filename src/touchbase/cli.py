"""The `touchbase` command line."""

from __future__ import annotations

import argparse
import asyncio
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

# When `serve` stops, requests still open (pages' event streams) get this long.
STOP_SECONDS = 5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchbase", description="A CRM calendar in two-way sync with Google."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the app (migrations first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-jobs",
        action="store_true",
        help="run no jobs here, only defer them to `touchbase worker` processes (PostgreSQL)",
    )
    worker = commands.add_parser(
        "worker", help="run jobs (pushes, syncs) until SIGTERM (PostgreSQL)"
    )
    worker.add_argument(
        "--concurrency", type=int, default=None, help="jobs at once (TOUCHBASE_JOB_CONCURRENCY)"
    )
    commands.add_parser("jobs", help="count the job queue's jobs by state")
    commands.add_parser("migrate", help="apply pending database migrations")
    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser(
        "add", help="create a user (or update one) and print an API token"
    )
    add.add_argument("email")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument(
        "--password", action="store_true", help="ask for a password to sign in to the pages"
    )
    secret.add_argument(
        "--password-stdin", action="store_true", help="read that password from standard input"
    )
    add.add_argument(
        "--token-days",
        type=int,
        default=365,
        help="how long the printed API token is valid (0: until revoked)",
    )
    user_commands.add_parser(
        "remove",
        help="remove a user and everything of theirs (their Google channels stopped first)",
    ).add_argument("email")
    token = commands.add_parser("token", help="list or revoke a user's API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    token_commands.add_parser("list", help="a user's tokens").add_argument("email")
    token_commands.add_parser("revoke", help="revoke a token by its id").add_argument("token_id")
    demo = commands.add_parser("demo", help="the emulator and the app, with a demo user")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--emulator-port", type=int, default=8765)
    demo.add_argument("--data-dir", type=Path, default=Path("var/demo"))
    from touchbase_emulator.cli import add_arguments

    add_arguments(
        commands.add_parser(
            "emulator", help="run the Google Calendar API v3 emulator (a real HTTP server)"
        )
    )
    return parser


def _serve(host: str, port: int, *, no_jobs: bool) -> None:
    import os

    import uvicorn

    from touchbase.config import load_settings
    from touchbase.startup import check_secret_key, open_files_as_allowed, prepare_database
    from touchbase.stopping import StoppingServer
    from touchbase.web.app import create_app

    # Unless set, the public URL (Google's way back here) is where this server listens.
    overrides: dict[str, object] = (
        {} if os.environ.get("TOUCHBASE_PUBLIC_URL") else {"public_url": f"http://{host}:{port}"}
    )
    if no_jobs:
        overrides["jobs_in_process"] = False
    settings = load_settings(**overrides)
    settings.check()
    prepare_database(settings)
    check_secret_key(settings)
    open_files_as_allowed()
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=STOP_SECONDS,
    )
    server = StoppingServer(config, on_stop=app.state.streams.stop)
    server.run()
    if not server.started:  # as uvicorn.run: the port was taken, the app failed to start
        raise SystemExit(3)


def _read_password(*, from_stdin: bool) -> str:
    import getpass
    import sys

    from touchbase.users import MIN_PASSWORD

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise SystemExit("The two passwords differ.")
    if len(password) < MIN_PASSWORD:
        raise SystemExit(f"A password needs at least {MIN_PASSWORD} characters.")
    return password


def _add_user(args: argparse.Namespace) -> None:
    from touchbase.config import load_settings
    from touchbase.domain.validation import is_valid_email
    from touchbase.startup import prepare_database
    from touchbase.users import add_user

    if not is_valid_email(args.email):
        raise SystemExit(f"{args.email!r} is not an email address (name@example.com).")
    password = None
    if args.password or args.password_stdin:
        password = _read_password(from_stdin=args.password_stdin)
    settings = load_settings()
    prepare_database(settings)
    from datetime import timedelta

    lifetime = timedelta(days=args.token_days) if args.token_days > 0 else None
    token = asyncio.run(
        add_user(settings.database_url, args.email, password=password, token_lifetime=lifetime)
    )
    with_password = " with a password" if password else ""
    print(f"user {args.email} ready{with_password}; API token (shown once):\n{token}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `touchbase` command."""
    args = _parser().parse_args(argv)
    # Zone rules from the locked `tzdata` package only, not the machine's zone files first:
    # a web process and a worker on machines of different tz releases place a wall time alike.
    zoneinfo.reset_tzpath(to=[])
    if args.command == "emulator":
        from touchbase_emulator.cli import run

        run(args)
    elif args.command == "serve":
        _serve(args.host, args.port, no_jobs=args.no_jobs)
    elif args.command in ("worker", "jobs"):
        from touchbase.jobs.commands import count_jobs, run_worker

        if args.command == "worker":
            run_worker(concurrency=args.concurrency)
        else:
            print(count_jobs())
    elif args.command == "migrate":
        from touchbase.config import load_settings
        from touchbase.startup import prepare_database

        prepare_database(load_settings())
        print("database is up to date")
    elif args.command == "user" and args.user_command == "remove":
        from touchbase.jobs.commands import remove_user

        if not remove_user(args.email):
            raise SystemExit(f"No user has the email {args.email}.")
        print(f"user {args.email} removed")
    elif args.command == "user":
        _add_user(args)
    elif args.command == "token":
        from touchbase.config import load_settings
        from touchbase.startup import prepare_database
        from touchbase.users import list_tokens, revoke_token

        settings = load_settings()
        prepare_database(settings)
        if args.token_command == "list":
            print(asyncio.run(list_tokens(settings.database_url, args.email)))
        elif not asyncio.run(revoke_token(settings.database_url, args.token_id)):
            raise SystemExit(f"No API token has the id {args.token_id}.")
        else:
            print(f"token {args.token_id} revoked")
    elif args.command == "demo":
        from touchbase.demo import run_demo

        run_demo(port=args.port, emulator_port=args.emulator_port, data_dir=args.data_dir)
    return 0
