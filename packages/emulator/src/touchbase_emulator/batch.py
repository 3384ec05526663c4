"""multipart/mixed batch bodies: parse the calls of a batch request, write the responses."""

from __future__ import annotations

import re
import secrets
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

from touchbase_emulator.errors import invalid
from touchbase_emulator.wire import ApiRequest, ApiResponse

MAX_CALLS = 1000
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def _split_head(block: str) -> tuple[str, str]:
    """(head, rest) of a block whose head ends at the first blank line."""
    match = re.search(r"\r?\n\r?\n", block)
    if not match:
        return block, ""
    return block[: match.start()], block[match.end() :]


def _headers(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def parse_batch(content_type: str, body: bytes) -> list[tuple[str | None, ApiRequest]]:
    """The (Content-ID, request) pairs of a batch body, in order."""
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/mixed") or not match:
        raise invalid("Batch requests must be multipart/mixed with a boundary.")
    boundary = "--" + match.group(1)
    text = body.decode("utf-8", errors="replace")
    calls: list[tuple[str | None, ApiRequest]] = []
    for chunk in text.split(boundary)[1:]:
        if chunk.startswith("--"):
            break
        part_head, http_message = _split_head(chunk.lstrip("\r\n"))
        part_headers = _headers(part_head.splitlines())
        calls.append((part_headers.get("content-id"), _parse_http(http_message)))
    if len(calls) > MAX_CALLS:
        raise invalid(f"A batch holds at most {MAX_CALLS} calls.")
    return calls


def _parse_http(message: str) -> ApiRequest:
    head, body = _split_head(message)
    lines = head.splitlines()
    if not lines:
        raise invalid("Empty batch part.")
    try:
        method, target, *_ = lines[0].split(" ")
    except ValueError as exc:
        raise invalid("Malformed request line in batch part.") from exc
    url = urlsplit(target)
    return ApiRequest(
        method=method.upper(),
        path=url.path,
        query=parse_qsl(url.query, keep_blank_values=True),
        headers=_headers(lines[1:]),
        body=body.rstrip("\r\n").encode(),
    )


def format_batch(parts: list[tuple[str | None, ApiResponse, bytes]]) -> tuple[str, bytes]:
    """(content type, body) of the batch response; one part per call, in order."""
    boundary = "batch_" + secrets.token_hex(12)
    out: list[str] = []
    for content_id, response, payload in parts:
        out.append(f"--{boundary}\r\nContent-Type: application/http\r\n")
        if content_id:
            inner = content_id.strip("<>")
            out.append(f"Content-ID: <response-{inner}>\r\n")
        phrase = HTTPStatus(response.status).phrase
        out.append(f"\r\nHTTP/1.1 {response.status} {phrase}\r\n")
        if payload:
            out.append("Content-Type: application/json; charset=UTF-8\r\n")
        for name, value in response.headers.items():
            out.append(f"{name}: {value}\r\n")
        out.append(f"Content-Length: {len(payload)}\r\n\r\n")
        out.append(payload.decode())
        out.append("\r\n")
    out.append(f"--{boundary}--\r\n")
    return f"multipart/mixed; boundary={boundary}", "".join(out).encode()
