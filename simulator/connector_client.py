"""A small client of the connector API, as an agent-desktop application uses it."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class ConnectorReply:
    status: int
    body: Any
    elapsed_ms: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        if self.ok:
            return f"HTTP {self.status} in {self.elapsed_ms:.1f} ms"
        body = self.body
        if isinstance(body, dict):
            error = body.get("error", body)
            body = error.get("message", error) if isinstance(error, dict) else error
        message = body
        return f"HTTP {self.status}: {message}"


class ConnectorClient:
    """JSON over HTTP on 127.0.0.1 with the bearer token."""

    def __init__(self, port: int, token: str, scheme: str = "http") -> None:
        self.base = f"{scheme}://127.0.0.1:{port}"
        self.token = token

    async def request(self, method: str, path: str, body: Any = None) -> ConnectorReply:
        return await asyncio.to_thread(self._request, method, path, body)

    def _request(self, method: str, path: str, body: Any) -> ConnectorReply:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        elapsed = (time.perf_counter() - start) * 1000
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return ConnectorReply(status, parsed, elapsed)

    async def post(self, path: str, body: Any = None) -> ConnectorReply:
        return await self.request("POST", path, body if body is not None else {})

    async def get(self, path: str) -> ConnectorReply:
        return await self.request("GET", path)


class BlockingConnectorClient:
    """The connector API called the way a desktop application's worker thread does."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            data = None if body is None else json.dumps(body)
            conn.request(method, path, data, {"Authorization": f"Bearer {self.token}"})
            response = conn.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            conn.close()

    def session(self) -> dict[str, Any]:
        status, body = self.request("GET", "/v1/session")
        assert status == 200, body
        return dict(body)

    def call(self, call_id: str) -> dict[str, Any] | None:
        return next((c for c in self.session()["calls"] if c["id"] == call_id), None)

    def link_state(self) -> str:
        """The app's link state, or "" while the connector does not answer yet."""
        try:
            return str(self.session()["link"]["state"])
        except OSError:
            return ""
