"""The app's asyncio side: adapter link, phone and connector, started and stopped together.

Headless mode runs it on the main thread; the window runs it on a worker thread
(see ``app_layer.ui.bridge``), so the same code serves both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from app_layer.config import default_config_dir
from app_layer.connector import Connector
from app_layer.link import AdapterLink
from app_layer.phone import Phone
from app_layer.settings import Settings
from app_layer.transport import InProcessEngine, TransportChooser, open_link

log = logging.getLogger(__name__)


def token_path(settings: Settings) -> Path:
    if settings.connector.token_file:
        return Path(settings.connector.token_file).expanduser()
    return default_config_dir() / "connector.token"


class Runtime:
    """Everything that talks to the adapter and to desktop applications."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.link: AdapterLink | None = None
        self.phone: Phone | None = None
        self.connector: Connector | None = None
        self._adapter: InProcessEngine | TransportChooser | None = None
        self._link_task: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Open the link and the connector; returns the connector's port."""
        self.link, self._adapter = await open_link(self.settings.transport)
        self.phone = Phone(self.link, self.settings)
        self.connector = Connector(self.phone, self.settings.connector, token_path(self.settings))
        port = await self.connector.start()
        self._link_task = asyncio.create_task(self.link.run())
        return port

    async def close(self) -> None:
        if self.connector is not None:
            await self.connector.close()
        if self.link is not None:
            await self.link.close()
        if self._link_task is not None:
            self._link_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._link_task
        if self._adapter is not None:
            await self._adapter.close()
