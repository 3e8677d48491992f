"""The connector: a local HTTP API through which agent-desktop applications drive the phone."""

from __future__ import annotations

import ssl
from pathlib import Path

from app_layer.connector.api import ConnectorApi
from app_layer.connector.http import HttpServer
from app_layer.connector.token import load_or_create_token
from app_layer.phone import Phone
from app_layer.settings import ConnectorSettings

#: Only local applications may reach the connector.
HOST = "127.0.0.1"


class Connector:
    """The API bound to 127.0.0.1, HTTP or HTTPS."""

    def __init__(self, phone: Phone, settings: ConnectorSettings, token_file: Path) -> None:
        self.token = load_or_create_token(token_file)
        self.api = ConnectorApi(phone, self.token)
        self._settings = settings
        self._server = HttpServer(self.api.handle)
        self.port = 0

    async def start(self) -> int:
        """Listen; returns the port actually used."""
        tls = None
        if self._settings.https:
            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(self._settings.certificate, self._settings.private_key)
        self.port = await self._server.start(HOST, self._settings.port, tls)
        return self.port

    async def close(self) -> None:
        await self._server.close()
