"""The `touchbase-emulator` command: run the emulator as an HTTP server until interrupted."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    """The command's arguments (also those of `touchbase emulator`)."""
    out = argparse.ArgumentParser(
        prog="touchbase-emulator",
        description="Run the Google Calendar API v3 and OAuth emulator (a real HTTP server).",
    )
    add_arguments(out)
    return out


def add_arguments(command: argparse.ArgumentParser) -> None:
    """Add the emulator's options to a parser."""
    command.add_argument("--host", default="127.0.0.1")
    command.add_argument("--port", type=int, default=8765)
    command.add_argument(
        "--state-file",
        type=Path,
        default=None,
        help="keep the emulator's data in this JSON file across restarts",
    )
    command.add_argument(
        "--latency-ms", type=int, default=0, help="added latency for every API call"
    )
    command.add_argument(
        "--token-lifetime", type=int, default=3600, help="access-token lifetime in seconds"
    )


def run(args: argparse.Namespace) -> None:
    """Serve with parsed arguments."""
    from touchbase_emulator.app import serve  # only when serving: the parser stays light

    print(f"Google Calendar emulator on http://{args.host}:{args.port}", flush=True)
    serve(
        args.host,
        args.port,
        state_file=args.state_file,
        latency_ms=args.latency_ms,
        token_lifetime=args.token_lifetime,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `touchbase-emulator` and `python -m touchbase_emulator`."""
    run(parser().parse_args(argv))
    return 0
