"""Frame access for pjsua2 ports: the vector fast paths and the kept thread state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pjsua2 as pj

from vdi_adapter.media_frames import VectorWriter, read_bytes

ROOT = Path(__file__).resolve().parents[2]

# A port on the conference bridge of a null-device endpoint (its own process: one
# Endpoint per process), counting upcalls that find a thread-local value from an
# earlier upcall: only a kept thread state carries it over.
PROBE = """
import json, threading, time
import pjsua2 as pj
from vdi_adapter.media_frames import keep_thread_state

local = threading.local()
counts = {"calls": 0, "fresh": 0}

class Port(pj.AudioMediaPort):
    def onFrameReceived(self, frame):
        keep_thread_state()
        counts["calls"] += 1
        if not getattr(local, "seen", False):
            local.seen = True
            counts["fresh"] += 1

ep = pj.Endpoint()
ep.libCreate()
config = pj.EpConfig()
config.logConfig.level = 0
config.logConfig.consoleLevel = 0
ep.libInit(config)
ep.audDevManager().setNullDev()
ep.libStart()
fmt = pj.MediaFormatAudio()
fmt.type = pj.PJMEDIA_TYPE_AUDIO
fmt.clockRate = 16000
fmt.channelCount = 1
fmt.bitsPerSample = 16
fmt.frameTimeUsec = 20000
port = Port()
port.createPort("probe", fmt)
ep.audDevManager().getCaptureDevMedia().startTransmit(port)
time.sleep(0.6)
ep.audDevManager().getCaptureDevMedia().stopTransmit(port)
del port
print(json.dumps(counts), flush=True)
ep.libDestroy()
"""


def test_read_bytes_gives_the_vector_contents() -> None:
    data = bytes(range(256)) * 3
    assert read_bytes(pj.ByteVector(data)) == data
    assert read_bytes(pj.ByteVector(b"")) == b""


def test_vector_writer_refills_one_vector_with_each_frame() -> None:
    writer = VectorWriter()
    first = writer.vector(b"\x01\x02" * 160)
    second = writer.vector(b"\x03\x04" * 160)
    assert second is first, "a frame of the same size reuses the vector"
    assert bytes(bytearray(second)) == b"\x03\x04" * 160
    longer = writer.vector(b"\x05" * 640)
    assert bytes(bytearray(longer)) == b"\x05" * 640


def test_pjmedia_thread_keeps_its_python_state_between_upcalls() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["calls"] >= 10, counts
    # Without the kept state every upcall would start from a fresh thread state.
    assert counts["fresh"] == 1, counts
