"""The `touchbase` command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="touchbase", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    emulator = commands.add_parser(
        "emulator", help="run the Google Calendar API v3 emulator (a real HTTP server)"
    )
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8765)
    emulator.add_argument(
        "--state-file",
        type=Path,
        default=None,
        help="keep the emulator's data in this JSON file across restarts",
    )
    emulator.add_argument(
        "--latency-ms", type=int, default=0, help="added latency for every API call"
    )
    emulator.add_argument(
        "--token-lifetime", type=int, default=3600, help="access-token lifetime in seconds"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `touchbase` command."""
    args = _parser().parse_args(argv)
    if args.command == "emulator":
        from touchbase.emulator import serve

        print(f"Google Calendar emulator on http://{args.host}:{args.port}", flush=True)
        serve(
            args.host,
            args.port,
            state_file=args.state_file,
            latency_ms=args.latency_ms,
            token_lifetime=args.token_lifetime,
        )
    return 0
