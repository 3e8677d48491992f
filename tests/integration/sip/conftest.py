"""Fixtures for the SIP engine against real peers: kamailio, sipp, a far-end pjsua2 process.

Every process started here is stopped by its PID in a ``finally``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulator.far_end import FarEnd
from simulator.registrar import Registrar
from tests.integration.sip.helpers import (
    REGISTRAR_PORT,
    USERS,
    EngineUnderTest,
    EventLog,
    Sipp,
)
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink


@pytest.fixture
def engine() -> Iterator[EngineUnderTest]:
    sink = EventSink()
    log = EventLog(sink)
    instance = Engine(sink, sip_trace=True)
    instance.start()
    try:
        yield EngineUnderTest(instance, log)
    finally:
        instance.stop()


@pytest.fixture
def registrar() -> Iterator[Registrar]:
    server = Registrar(USERS, port=REGISTRAR_PORT)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def far_ends() -> Iterator[Callable[..., FarEnd]]:
    """Factory: ``far_ends(5081, auto_answer=200)`` starts a far end, stopped at teardown."""
    started: list[FarEnd] = []

    def start(port: int, **options: object) -> FarEnd:
        peer = FarEnd(port, **options)  # type: ignore[arg-type]
        started.append(peer)
        peer.start()
        return peer

    try:
        yield start
    finally:
        for peer in started:
            peer.stop()


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[Callable[..., Sipp]]:
    """Factory: ``sipp("uas_hold.xml", 5091)`` runs one scenario; killed at teardown."""
    started: list[Sipp] = []

    def run(scenario: str, port: int, *args: str) -> Sipp:
        process = Sipp(scenario, tmp_path, port, *args)
        started.append(process)
        time.sleep(0.2)
        return process

    try:
        yield run
    finally:
        for process in started:
            process.stop()
