"""Fixtures: a private PulseAudio server whose virtual devices PortAudio sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.pulseaudio import PulseAudioServer, running_server


@pytest.fixture
def pulse() -> Iterator[PulseAudioServer]:
    yield from running_server()
