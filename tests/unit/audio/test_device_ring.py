"""The C side of the bridge: the sample rings and the PortAudio callback that uses them.

The callback is called here through ctypes exactly as PortAudio calls it.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from vdi_adapter.audio._device_ring import STREAM_CALLBACK, DeviceRing, DeviceTap

BLOCK = 320
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_void_p,
)
callback = _CALLBACK(STREAM_CALLBACK)


def play(tap: DeviceTap, status: int = 0) -> np.ndarray:
    """One output block, as PortAudio asks the callback for it."""
    out = np.full(BLOCK, 12345, dtype=np.int16)
    assert callback(None, out.ctypes.data, BLOCK, None, status, tap.address) == 0
    return out


def record(tap: DeviceTap, block: np.ndarray) -> None:
    assert callback(block.ctypes.data, None, len(block), None, 0, tap.address) == 0


def old_and_new_stream(*, recording: bool) -> tuple[DeviceRing, DeviceTap, DeviceTap]:
    """A ring fed by one stream's tap, and a second stream's tap on it (a device switch)."""
    ring = DeviceRing(4000)
    old, new = DeviceTap(input=recording), DeviceTap(input=recording)
    old.attach(ring)
    new.attach(ring)
    ring.feeder = old.id
    return ring, old, new


def ramp(start: int, count: int = BLOCK) -> np.ndarray:
    return np.arange(start, start + count, dtype=np.int16)


def test_a_full_ring_drops_the_oldest_samples_and_counts_them() -> None:
    ring = DeviceRing(1000)
    ring.write(ramp(0, 800))
    ring.write(ramp(800, 400))
    assert ring.level == 1000 and ring.dropped == 200 and ring.written == 1200
    assert np.array_equal(np.frombuffer(ring.read(5), np.int16), ramp(200, 5))
    assert ring.removed == 205
    ring.write(ramp(0, 5000))  # more than it holds: only the newest survive
    assert np.array_equal(np.frombuffer(ring.read(1000), np.int16), ramp(4000, 1000))
    assert ring.read(10) == b"" and ring.level == 0


def test_trim_and_clear_remove_the_oldest_samples() -> None:
    ring = DeviceRing(1000)
    ring.write(ramp(0, 600))
    assert ring.trim_to(100) == 500 and ring.dropped == 500
    assert np.array_equal(np.frombuffer(ring.read(100), np.int16), ramp(500, 100))
    ring.write(ramp(0, 50))
    ring.clear()
    assert ring.level == 0 and ring.removed == 650


def test_bad_input_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="positive"):
        DeviceRing(0)
    ring = DeviceRing(100)
    with pytest.raises(ValueError, match="16-bit"):
        ring.write(b"\x00\x01\x02")
    with pytest.raises(ValueError, match="negative"):
        ring.target = -1
    with pytest.raises(TypeError, match="DeviceRing or None"):
        DeviceTap(input=True).attach("ring")  # type: ignore[arg-type]
    assert ring.level == 0


def test_device_transfers_are_logged_with_their_times() -> None:
    ring = DeviceRing(2000)
    ring.device_write(ramp(0), 1.0)
    ring.device_write(ramp(0), 1.02)
    ring.read(BLOCK)
    assert ring.take_log() == [(BLOCK, BLOCK, 1.0), (2 * BLOCK, BLOCK, 1.02)]
    assert ring.take_log() == []
    assert ring.device_at == 1.02 and ring.blocks == 2


def test_an_unattached_output_plays_silence_and_an_input_records_nowhere() -> None:
    speaker, microphone = DeviceTap(input=False), DeviceTap(input=True)
    assert not play(speaker).any()
    record(microphone, ramp(1))
    assert speaker.blocks == 1 and microphone.blocks == 1


def test_only_the_feeding_stream_uses_the_ring_and_the_incoming_one_takes_it_over() -> None:
    ring, old, new = old_and_new_stream(recording=False)
    for start in range(0, 4 * BLOCK, BLOCK):
        ring.write(ramp(start))
    assert np.array_equal(play(old), ramp(0))
    assert not play(new).any() and ring.level == 3 * BLOCK  # not its turn yet
    ring.incoming = new.id
    # The new speaker's first block is silence (the old one still plays what it took).
    assert not play(new).any() and ring.feeder == new.id and ring.level == 3 * BLOCK
    assert not play(old).any()  # the old one is out
    assert np.array_equal(play(new), ramp(BLOCK))


def test_a_microphone_feeds_its_ring_from_its_first_block_when_it_takes_over() -> None:
    ring, old, new = old_and_new_stream(recording=True)
    record(old, ramp(0))
    record(new, ramp(1000))  # not feeding: dropped
    ring.incoming = new.id
    record(new, ramp(2000))
    record(old, ramp(3000))  # no longer feeding
    assert np.array_equal(
        np.frombuffer(ring.read(4 * BLOCK), np.int16), np.concatenate([ramp(0), ramp(2000)])
    )


def test_status_flags_are_counted_and_detaching_stops_using_the_ring() -> None:
    ring = DeviceRing(4000)
    speaker = DeviceTap(input=False)
    speaker.attach(ring)
    ring.feeder = speaker.id
    ring.write(ramp(1, 2 * BLOCK))
    play(speaker, status=4)  # paOutputUnderflow
    assert speaker.status_flags == 1
    speaker.attach(None)
    assert not play(speaker).any() and ring.level == BLOCK


def test_a_play_ring_copies_what_the_loudspeaker_plays_for_the_echo_canceller() -> None:
    ring, reference = DeviceRing(4000), DeviceRing(4000)
    ring.echo = reference
    ring.target = 0
    ring.write(ramp(1))
    speaker = DeviceTap(input=False)
    speaker.attach(ring)
    ring.feeder = speaker.id
    heard = np.concatenate([play(speaker), play(speaker)])  # a block, then an underrun
    assert np.array_equal(np.frombuffer(reference.read(4000), np.int16), heard)
    assert np.array_equal(heard[:BLOCK], ramp(1)) and not heard[BLOCK:].any()
    with pytest.raises(TypeError, match="another DeviceRing"):
        ring.echo = ring
    ring.echo = None
    assert ring.echo is None


def test_a_ring_always_has_its_samples_and_echo_rings_do_not_chain() -> None:
    with pytest.raises(TypeError):
        DeviceRing.__new__(DeviceRing)  # type: ignore[call-arg]
    first, second, third = DeviceRing(100), DeviceRing(100), DeviceRing(100)
    second.echo = third
    with pytest.raises(ValueError, match="echo of its own"):
        first.echo = second
    ring = DeviceRing(100)
    ring.device_write(ramp(0, 60), 2.5)
    assert ring.snapshot() == (60, 2.5, 60, 0)
    assert len(ring.read(1 << 40)) == 120  # asking for more than it can hold is fine
    with pytest.raises(ValueError, match="capacity"):
        ring.device_read(101, 3.0)
