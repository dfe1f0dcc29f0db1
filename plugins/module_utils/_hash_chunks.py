# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Long hash lists split into requests that every hop accepts: the one place that joins torrent hashes.

qBittorrent itself reads a request of up to 64 MiB (RequestParser::MAX_CONTENT_SIZE, src/base/http/requestparser.h),
but a reverse proxy in front of it refuses a longer request line: nginx answers 414 past its 8 KiB header buffer
(large_client_header_buffers), Apache past LimitRequestLine (8190 bytes). So a query string carries at most
QUERY_BYTES of hashes (the request line stays under 8 KiB with the path and the other parameters), and a POST body
at most BODY_BYTES (well under the 1 MiB body limit proxies default to). Each chunk is one request; the answers of
reads are concatenated (the chunks are disjoint, so no torrent is listed twice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

QUERY_BYTES = 6 * 1024
BODY_BYTES = 48 * 1024
LINE_LIMIT = 8 * 1024  # what the chunks keep a request line under (stated in docs/performance.md)


def chunks(hashes: Iterable[str], limit: int) -> list[list[str]]:
    """The hashes (duplicates dropped, order kept) in runs whose '|'-joined, percent-encoded form is at most limit
    bytes; a single hash longer than limit still gets a run of its own."""
    runs: list[list[str]] = []
    size = 0
    separator = len(quote("|", safe=""))
    for value in dict.fromkeys(hashes):
        cost = len(quote(value, safe="")) + (separator if runs and runs[-1] else 0)
        if not runs or (runs[-1] and size + cost > limit):
            runs.append([])
            size = 0
            cost = len(quote(value, safe=""))
        runs[-1].append(value)
        size += cost
    return runs


def join(hashes: Iterable[str]) -> str:
    return "|".join(hashes)


def get_json(client, endpoint: str, hashes: Iterable[str], params: Mapping[str, Any] | None = None) -> list:
    """GET endpoint?hashes=...&params once per query-sized chunk; the JSON lists answered, concatenated."""
    result: list = []
    for run in chunks(hashes, QUERY_BYTES):
        result.extend(client.get_json(endpoint, {**(params or {}), "hashes": join(run)}) or [])
    return result


def post(client, endpoint: str, hashes: Iterable[str], fields: Mapping[str, Any] | None = None, field="hashes") -> None:
    """POST endpoint with FIELD (hashes, or id/hash for the endpoints that name it so) once per body-sized chunk."""
    for run in chunks(hashes, BODY_BYTES):
        client.post(endpoint, {field: join(run), **(fields or {})})
