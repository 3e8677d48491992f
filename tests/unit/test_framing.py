"""Framing over a byte pipe that splits, merges and caps writes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.errors import BadFrameHeader, FrameTooLarge, LocalProtocolError, TruncatedFrame
from protocol.framing import HEADER_SIZE, FrameDecoder, encode_frame, split_writes

payloads = st.lists(st.binary(max_size=3000), max_size=20)


def rechunk(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@settings(max_examples=300, deadline=None)
@given(
    payloads,
    st.lists(st.integers(min_value=0), max_size=40),
    st.sampled_from([None, 1, 7, 1600, 16384]),
)
def test_any_split_merge_and_cap_round_trips(
    messages: list[bytes], cuts: list[int], cap: int | None
) -> None:
    wire = b"".join(encode_frame(m) for m in messages)
    writes = [w for chunk in rechunk(wire, cuts) for w in split_writes(chunk, cap)]
    assert all(cap is None or len(w) <= cap for w in writes)
    decoder = FrameDecoder()
    received = [p for w in writes for p in decoder.feed(w)]
    decoder.close()
    assert received == messages
    assert decoder.buffered == 0


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_garbage_is_refused_with_a_typed_error(garbage: bytes) -> None:
    if garbage.startswith(b"SP\x01"[: len(garbage)]):
        garbage = b"X" + garbage  # make sure it is not a valid frame start
    decoder = FrameDecoder()
    with pytest.raises(BadFrameHeader, match="not a softphone frame"):
        decoder.feed(garbage)
    # A failed decoder stays failed: a byte stream cannot resynchronise.
    with pytest.raises(BadFrameHeader):
        decoder.feed(encode_frame(b"ok"))


def test_oversize_is_refused_from_the_header_without_buffering() -> None:
    decoder = FrameDecoder(max_frame=1024)
    header = encode_frame(b"x" * 2000, max_frame=4096)[:HEADER_SIZE]
    with pytest.raises(FrameTooLarge, match="2000 bytes exceeds the 1024-byte limit"):
        decoder.feed(header)
    assert decoder.buffered == 0


def test_memory_stays_bounded_while_a_big_frame_trickles_in() -> None:
    decoder = FrameDecoder(max_frame=64 * 1024)
    frame = encode_frame(b"y" * 64 * 1024, max_frame=64 * 1024)
    for i in range(0, len(frame) - 1, 1000):
        assert decoder.feed(frame[i : min(i + 1000, len(frame) - 1)]) == []
        assert decoder.buffered <= HEADER_SIZE + 64 * 1024
    assert decoder.feed(frame[-1:]) == [b"y" * 64 * 1024]


@given(st.binary(min_size=1, max_size=500), st.integers(min_value=1))
def test_truncated_frame_at_close_names_what_is_missing(payload: bytes, cut: int) -> None:
    frame = encode_frame(payload)
    keep = cut % (len(frame) - 1) + 1  # at least one byte, never the whole frame
    decoder = FrameDecoder()
    decoder.feed(frame[:keep])
    with pytest.raises(TruncatedFrame, match=f"{keep} of"):
        decoder.close()


def test_close_between_frames_is_clean() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(encode_frame(b"a") + encode_frame(b"b")) == [b"a", b"b"]
    decoder.close()


def test_sender_refuses_to_send_what_the_peer_would_refuse() -> None:
    with pytest.raises(LocalProtocolError, match="exceeds the 100-byte limit"):
        encode_frame(b"z" * 101, max_frame=100)
