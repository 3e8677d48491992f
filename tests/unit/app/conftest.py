"""Fixtures for the app layer's unit tests: a phone on a fake link served by the connector."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import pytest

from app_layer.connector import Connector
from app_layer.phone import Phone
from app_layer.settings import ConnectorSettings, Line, Secret, Settings

from .fakes import FakeLink

T = TypeVar("T")

# The window's tests render offscreen: no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Harness:
    """A connector on its own loop thread, with a phone on a fake link."""

    def __init__(self, token_file: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.link = FakeLink()
        line = Line(id="l1", user="7001", server="127.0.0.1:5060", password=Secret("pw-secret"))
        settings = Settings(lines=(line,), connector=ConnectorSettings(port=0))
        self.phone: Phone = self.run(lambda: Phone(self.link, settings))
        self.connector: Connector = self.run(
            lambda: Connector(self.phone, settings.connector, token_file)
        )
        self.port = self.wait(self.connector.start())
        self.token = self.connector.token

    def run(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the loop thread (listeners must be called there)."""
        future: Future[T] = Future()

        def call() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(call)
        return future.result(5)

    def wait(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = "",
        raw: bytes | None = None,
    ) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token or self.token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            conn.close()

    def close(self) -> None:
        self.wait(self.connector.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = Harness(tmp_path / "token")
    try:
        yield h
    finally:
        h.close()
