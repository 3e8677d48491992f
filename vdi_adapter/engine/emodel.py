"""Estimated call quality by the E-model (ITU-T G.107), as a pure function.

Theory of operation: the E-model rates a connection with a transmission rating R
(0..100) made of independent impairments subtracted from a basic signal-to-noise
rating: R = Ro - Is - Id - Ie,eff + A (G.107 section 3). For a softphone the room
noise and loudness terms keep their default values, so Ro - Is = 93.2. What varies
per call is the one-way delay (Id), the codec and its packet loss (Ie,eff, with the
codec's equipment impairment Ie and loss robustness Bpl from ITU-T G.113 Appendix I)
and nothing else. R then maps to an estimated MOS (G.107 Annex B).

Inputs are measured figures (RTT, jitter, loss); the engine's driver feeds them in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Ro - Is with every default value of G.107 Table 3.
DEFAULT_R = 93.2


@dataclass(frozen=True)
class CodecImpairment:
    """G.113 Appendix I figures for one codec."""

    #: Equipment impairment factor at zero loss.
    ie: float
    #: Packet-loss robustness factor (with the codec's packet loss concealment).
    bpl: float


#: By codec name (upper case, no clock rate). Wideband codecs use narrowband-scale figures.
CODEC_IMPAIRMENTS: dict[str, CodecImpairment] = {
    "PCMU": CodecImpairment(ie=0.0, bpl=25.1),
    "PCMA": CodecImpairment(ie=0.0, bpl=25.1),
    "G722": CodecImpairment(ie=0.0, bpl=25.1),
    "L16": CodecImpairment(ie=0.0, bpl=25.1),
    "GSM": CodecImpairment(ie=20.0, bpl=10.0),
    "ILBC": CodecImpairment(ie=10.0, bpl=32.0),
    "SPEEX": CodecImpairment(ie=11.0, bpl=19.0),
}

_UNKNOWN_CODEC = CodecImpairment(ie=10.0, bpl=20.0)


def delay_impairment(one_way_delay_ms: float) -> float:
    """Id for an echo-free connection: the simplified G.107 delay term (Cole-Rosenbluth)."""
    d = max(0.0, one_way_delay_ms)
    excess = max(0.0, d - 177.3)
    return 0.024 * d + 0.11 * excess


def effective_equipment_impairment(codec: str, loss_pct: float, burst_ratio: float = 1.0) -> float:
    """Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl), G.107 formula (7-29)."""
    figures = CODEC_IMPAIRMENTS.get(codec.split("/", maxsplit=1)[0].upper(), _UNKNOWN_CODEC)
    ppl = min(100.0, max(0.0, loss_pct))
    return figures.ie + (95.0 - figures.ie) * ppl / (ppl / burst_ratio + figures.bpl)


def r_to_mos(r: float) -> float:
    """G.107 Annex B: MOS_CQE from the rating R."""
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    mos = 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
    return min(4.5, max(1.0, mos))


def rating(codec: str, one_way_delay_ms: float, loss_pct: float) -> float:
    """Transmission rating R for a codec, a mouth-to-ear delay and a random loss rate."""
    r = DEFAULT_R - delay_impairment(one_way_delay_ms)
    return r - effective_equipment_impairment(codec, loss_pct)


def estimate_mos(codec: str, rtt_ms: float, jitter_ms: float, loss_pct: float) -> float:
    """MOS for a call from what RTCP tells: half the RTT plus a jitter buffer of 2x jitter.

    A fixed 20 ms packetisation plus 2x jitter approximates the jitter buffer's delay.
    """
    if math.isnan(rtt_ms) or math.isnan(jitter_ms) or math.isnan(loss_pct):
        raise ValueError("quality figures must be numbers")
    one_way = max(0.0, rtt_ms) / 2 + 20.0 + 2 * max(0.0, jitter_ms)
    return round(r_to_mos(rating(codec, one_way, loss_pct)), 2)
