"""The multipart/mixed body of a batch request, and the parts of its answer."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_BLANK = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class Call:
    """One Calendar API call, sent alone or inside a batch."""

    method: str
    path: str  # below /calendar/v3, e.g. "/calendars/primary/events"
    params: tuple[tuple[str, str], ...] = ()
    body: dict[str, Any] | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def target(self) -> str:
        """Path and query, as a batch part's request line names them."""
        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"/calendar/v3{self.path}{query}"


def encode(calls: list[Call]) -> tuple[str, bytes]:
    """(Content-Type, body) of a batch of calls; part i has Content-ID <item-i>."""
    boundary = "tb_" + secrets.token_hex(16)
    chunks: list[bytes] = []
    for index, call in enumerate(calls):
        payload = json.dumps(call.body).encode() if call.body is not None else b""
        head = [f"{call.method} {call.target()} HTTP/1.1"]
        head += [f"{name}: {value}" for name, value in call.headers]
        if call.body is not None:
            head.append("Content-Type: application/json; charset=UTF-8")
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-ID: <item-{index}>\r\n\r\n".encode()
            + "\r\n".join(head).encode()
            + b"\r\n\r\n"
            + payload
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks)


def decode(response: httpx.Response, count: int) -> list[httpx.Response | None]:
    """The answer to each call, by position; None where a part is missing."""
    match = _BOUNDARY.search(response.headers.get("content-type", ""))
    if not match:
        raise ValueError("batch answer is not multipart")
    answers: list[httpx.Response | None] = [None] * count
    delimiter = b"--" + match.group(1).encode()
    for chunk in response.content.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        parts = _BLANK.split(chunk.lstrip(b"\r\n"), maxsplit=1)
        if len(parts) != 2:
            continue
        part_headers = _headers(parts[0])
        index = _index(part_headers.get("content-id", ""))
        if index is None or index >= count:
            continue
        answers[index] = _http_response(parts[1])
    return answers


def _headers(block: bytes) -> dict[str, str]:
    out = {}
    for line in block.decode("latin-1").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def _index(content_id: str) -> int | None:
    match = re.search(r"item-(\d+)", content_id)
    return int(match.group(1)) if match else None


def _http_response(message: bytes) -> httpx.Response:
    parts = _BLANK.split(message, maxsplit=1)
    head = parts[0].decode("latin-1").splitlines()
    status = int(head[0].split()[1])
    headers = [
        (k, v)
        for k, v in _headers("\n".join(head[1:]).encode()).items()
        if k not in ("content-length", "transfer-encoding")
    ]
    body = parts[1].rstrip(b"\r\n") if len(parts) == 2 else b""
    return httpx.Response(status, headers=headers, content=body)
