"""Everything the simulator runs for a demo or a scenario, started and stopped together.

A kamailio registrar, the adapter and the app layer joined by the loopback channel
(``SimRig``), the app layer's phone and connector API, and the simulated peers
(customers, colleagues): pjsua2 endpoints in their own processes, registered with
the registrar. Ports are picked free on 127.0.0.1; every process is stopped by PID.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from app_layer.config import parse_settings
from app_layer.connector import Connector
from app_layer.link import AdapterLink
from app_layer.phone import Phone
from app_layer.settings import ConnectorSettings, Line, Secret, Settings
from app_layer.ui.viewmodel import PhoneViewModel
from protocol.impairment import ImpairmentProfile
from simulator.connector_client import ConnectorClient
from simulator.far_end import RTP_PORTS, FarEnd, rtp_base_port
from simulator.registrar import Registrar
from simulator.rig import SimRig
from simulator.rtp_relay import RELAY_HOST, MediaImpairment, MediaRelay

AGENT_USER = "7001"
AGENT_PASSWORD = "agent-secret"


#: Media ports the agent may use when its media goes through the relay (10 calls).
AGENT_MEDIA_PORTS = 20


def free_media_ports(count: int) -> int:
    """An even base port with ``count`` UDP ports free on 127.0.0.1 and 127.0.0.2."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(42000, 49000, 2)
        try:
            for port in range(base, base + count + 1):
                for host in ("127.0.0.1", RELAY_HOST):
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                        probe.bind((host, port))
        except OSError:
            continue
        return base
    raise OSError("no free block of media ports on 127.0.0.1/127.0.0.2")


def free_port(kind: int = socket.SOCK_DGRAM) -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, kind) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", port))
            return port
    raise OSError("no free port on 127.0.0.1")


class SimWorld:
    """Registrar, adapter, app layer and peers for one run."""

    def __init__(
        self,
        profile: ImpairmentProfile | str = "lan",
        peers: dict[str, str] | None = None,
        *,
        on_change: Callable[[str], None] | None = None,
        audio: Any = None,
        settings: Settings | None = None,
        peer_auto_answer: dict[str, int] | None = None,
        rig_options: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
        media: MediaImpairment | None = None,
        sound: tuple[str, ...] | None = None,
    ) -> None:
        self.profile = profile
        self.peer_users = peers or {"customer": "5001"}
        self.peer_auto_answer = peer_auto_answer or {}
        self.on_change = on_change
        self.audio = audio
        self._settings = settings
        self._rig_options = rig_options or {}
        self.config = config or {}
        self.media = media or MediaImpairment()
        self.relay: MediaRelay | None = None
        #: Devices of a private PulseAudio server for the agent (None: no sound devices).
        self.sound_devices = sound
        self.sound: Any = None
        self.peers: dict[str, FarEnd] = {}
        self._ui_tasks: set[asyncio.Task[None]] = set()
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> SimWorld:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _start(self) -> None:
        self.workdir = Path(
            self._stack.enter_context(tempfile.TemporaryDirectory(prefix="softphone-sim-"))
        )
        users = {AGENT_USER: AGENT_PASSWORD, **{u: f"{u}-secret" for u in self.peer_users.values()}}
        self.registrar = Registrar(users, port=free_port())
        await asyncio.to_thread(self.registrar.start)
        self._stack.callback(self.registrar.stop)
        self.settings = self._settings or self._default_settings()
        if self.media.active:
            await self._start_media_relay()
        self.rig = SimRig(
            self.profile,
            audio=self.audio,
            on_change=self.on_change,
            attach=self._attach,
            **self._rig_options,
        )
        if self.sound_devices is not None:
            self._start_sound()
        await self._stack.enter_async_context(self.rig)
        self.connector = Connector(
            self.phone, ConnectorSettings(port=0), self.workdir / "connector.token"
        )
        self.connector_port = await self.connector.start()
        self._stack.push_async_callback(self.connector.close)
        self.client = ConnectorClient(self.connector_port, self.connector.token)
        for name, user in self.peer_users.items():
            await self.start_peer(name, user)

    def _default_settings(self) -> Settings:
        base = Settings()
        if self.config:
            base, _problems = parse_settings(self.config, "scenario [config]")  # validated on load
        line = Line(
            id="line1",
            display_name="Agent",
            user=AGENT_USER,
            server=self.registrar.address,
            password=Secret(AGENT_PASSWORD),
            register=True,
            expiry_s=300,
        )
        settings = replace(base, lines=(line,))
        if self.sound_devices and not base.devices.headset:
            # Headsets as contact-centre admins list them; the virtual ones are named alike.
            rules = replace(
                base.devices, headset=("^Jabra", "^Plantronics", "^Poly"), use_headset=True
            )
            settings = replace(settings, devices=rules)
        return settings

    def _start_sound(self) -> None:
        """A private PulseAudio with virtual devices; the agent's audio goes through them."""
        from simulator.sound_server import running_server
        from vdi_adapter.audio.backend import DeviceAudioBackend

        self.sound = self._stack.enter_context(contextlib.contextmanager(running_server)())
        for name in self.sound_devices or ():
            self.sound.plug(name)
        backend = DeviceAudioBackend(self.rig.sink)
        self._stack.callback(backend.close)
        self.rig.audio = backend

    async def _start_media_relay(self) -> None:
        """Route the agent's media through the impairing relay (SDP names 127.0.0.2)."""
        self.relay = MediaRelay(self.media)
        self._stack.callback(self.relay.close)
        base = free_media_ports(AGENT_MEDIA_PORTS)
        await self.relay.add_ports(range(base, base + AGENT_MEDIA_PORTS))
        network = replace(
            self.settings.network,
            media_public_address=RELAY_HOST,
            bind_address="127.0.0.1",  # the relay holds the same ports on 127.0.0.2
            rtp_port_min=base,
            rtp_port_max=base + AGENT_MEDIA_PORTS - 2,
        )
        self.settings = replace(self.settings, network=network)

    def _attach(self, link: AdapterLink) -> None:
        self.phone = Phone(link, self.settings)
        # The window's view-model, fed like the window's: what an agent's click goes through.
        self.agent_ui = PhoneViewModel(self._ui_submit)
        self.ui_messages: list[str] = []
        self.agent_ui.command_failed.connect(self.ui_messages.append)
        self.phone.subscribe(self.agent_ui.apply)

    def _ui_submit(self, label: str, action: Callable[[Phone], Awaitable[Any]]) -> None:
        async def run() -> None:
            try:
                outcome: object = await action(self.phone)
            except Exception as error:
                outcome = error
            self.agent_ui.command_done(label, outcome)

        task = asyncio.get_running_loop().create_task(run())
        self._ui_tasks.add(task)
        task.add_done_callback(self._ui_tasks.discard)

    async def start_peer(self, name: str, user: str) -> FarEnd:
        port = self._peer_sip_port()
        peer = FarEnd(
            port,
            user=user,
            registrar=self.registrar.address,
            password=f"{user}-secret",
            auto_answer=self.peer_auto_answer.get(name, 0),
            media_public=RELAY_HOST if self.relay else "",
        )
        if self.relay is not None:
            base = rtp_base_port(port)
            await self.relay.add_ports(range(base, base + RTP_PORTS + 1))
        await asyncio.to_thread(peer.start)
        self._stack.callback(peer.stop)
        self.peers[name] = peer
        await asyncio.to_thread(peer.wait_for, "registration", lambda e: e.get("code") == 200, 10.0)
        return peer

    def _peer_sip_port(self) -> int:
        # Each far end's media ports follow from its SIP port: keep their blocks apart.
        taken = {rtp_base_port(p.port) for p in self.peers.values()}
        while True:
            port = free_port()
            if rtp_base_port(port) not in taken:
                return port

    @property
    def agent_uri(self) -> str:
        return f"sip:{AGENT_USER}@{self.registrar.address}"
