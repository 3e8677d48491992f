"""A call's media: devices, mute, DTMF sending, the local conference and quality figures.

Theory of operation: when pjsua reports a call's audio active, its ``AudioMedia`` goes
to the audio backend (or, with ``NullAudioBackend``, to pjsua2's null sound device, so
the conference bridge keeps a clock). Hold or hang-up hands it back. Mute lowers the
level of what the bridge sends into the call to zero: nothing is signalled, RTP keeps
flowing (silence). In-band DTMF mixes a ``ToneGenerator`` (ITU-T Q.23 pairs) into the
call, and a listening port detects in-band digits in what the call receives
(``inband``). A merge connects calls' media to each other; a split disconnects.
Quality comes from RTCP (RFC 3550) figures of the stream, rated by the E-model.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from typing import Any

import pjsua2 as pj

from protocol import pb
from vdi_adapter.audio_backend import NullAudioBackend
from vdi_adapter.engine import emodel
from vdi_adapter.engine.errors import invalid_argument, invalid_state
from vdi_adapter.engine.inband import DetectorPool
from vdi_adapter.engine.legs import CallLeg

log = logging.getLogger(__name__)

QUALITY_INTERVAL_S = 3.0
INBAND_TONE_MS = 100
_conference_numbers = itertools.count(1)


def _quietly(action: str, operation: Any) -> None:
    """Run a media operation whose failure only means the media is already gone."""
    try:
        operation()
    except Exception as error:
        log.debug("%s: %s", action, getattr(error, "reason", error))


class MediaControl:
    """Media operations on call legs; runs on the engine thread."""

    def __init__(self, context: Any, legs: dict[str, CallLeg]) -> None:
        self.context = context
        #: Every leg of the engine (shared with call control), for conference members.
        self.legs = legs
        self.detectors = DetectorPool()

    @property
    def _null_audio(self) -> bool:
        return self.context.audio is None or isinstance(self.context.audio, NullAudioBackend)

    def update(self, leg: CallLeg, sip_call: Any) -> None:
        """Follow pjsua's media state: codec, remote hold, devices on or off."""
        # Keep CallInfo referenced: its media vector dies with it.
        call_info = sip_call.getInfo()
        for info in call_info.media:
            if info.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            leg.media_index = info.index
            leg.remote_hold = info.status == pj.PJSUA_CALL_MEDIA_REMOTE_HOLD
            audible = info.status in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD)
            if audible and info.audioConfSlot >= 0:
                stream = sip_call.getStreamInfo(info.index)
                leg.codec = f"{stream.codecName}/{stream.codecClockRate}"
                self._started(leg, sip_call.getAudioMedia(info.index))
            else:
                self.stopped(leg)
            return

    def _started(self, leg: CallLeg, audio_media: Any) -> None:
        if leg.media_started:
            return
        # pjsua reports media before the answered state: the ring tone stops first.
        self.ringing(leg, False)
        leg.audio_media = audio_media
        leg.media_started = True
        if self._null_audio:
            devices = pj.Endpoint.instance().audDevManager()
            devices.getCaptureDevMedia().startTransmit(audio_media)
            audio_media.startTransmit(devices.getPlaybackDevMedia())
        else:
            self.context.audio.call_media_started(leg.call_id, audio_media)
        self.apply_mute(leg)
        self._detect_inband(leg, audio_media)
        self._connect_tone_generator(leg, audio_media)
        self._join(leg)

    def _connect_tone_generator(self, leg: CallLeg, audio_media: Any) -> None:
        """Connected ahead of use: bridge connections take effect a clock tick later,
        which would clip the first in-band digit."""
        if leg.tone_generator is None:
            generator = pj.ToneGenerator()
            generator.createToneGenerator(16000, 1)
            leg.tone_generator = generator
        _quietly("tones on", lambda: leg.tone_generator.startTransmit(audio_media))

    def _detect_inband(self, leg: CallLeg, audio_media: Any) -> None:
        call_id, context = leg.call_id, self.context

        def on_digit(digit: str) -> None:  # pjmedia's clock thread
            received = pb.DtmfReceived(call_id=call_id, digit=digit, method=pb.DTMF_METHOD_INBAND)
            context.post(lambda: context.publish(pb.Event(dtmf=received)))

        try:
            self.detectors.attach(call_id, audio_media, on_digit, self.context.audio)
        except Exception as error:
            log.warning("no in-band DTMF detection on %s: %s", call_id, error)

    def stopped(self, leg: CallLeg) -> None:
        """Take the call's media off the devices (hold, hang-up); idempotent."""
        if not leg.media_started:
            return
        leg.media_started = False
        self.detectors.detach(leg.call_id)
        media = leg.audio_media
        if self._null_audio:
            devices = pj.Endpoint.instance().audDevManager()
            _quietly("capture off", lambda: devices.getCaptureDevMedia().stopTransmit(media))
            _quietly("playback off", lambda: media.stopTransmit(devices.getPlaybackDevMedia()))
        else:
            self.context.audio.call_media_stopped(leg.call_id)

    def ringing(self, leg: CallLeg, on: bool) -> None:
        if on == leg.ringing:
            return
        leg.ringing = on
        audio = self.context.audio
        if audio is not None:
            (audio.ringing_started if on else audio.ringing_stopped)(leg.call_id)

    def tone(self, leg: CallLeg, name: str | None, seconds: float = 0.0) -> None:
        """Play a tone to the agent (ringback, busy, call waiting, DTMF feedback); None stops.

        Only a device backend plays tones; a tone that fails must never disturb the call.
        ``seconds`` stops a tone that would otherwise loop (busy, error) after that long.
        """
        audio = self.context.audio
        play, stop = getattr(audio, "play_tone", None), getattr(audio, "stop_tone", None)
        if play is None or stop is None:
            return
        try:
            if name is None:
                stop(leg.call_id)
                return
            play(leg.call_id, name)
        except Exception as error:
            log.debug("tone %s: %s", name, error)
            return
        if seconds:
            timer = threading.Timer(
                seconds, lambda: _quietly("tone stop", lambda: stop(leg.call_id))
            )
            timer.daemon = True
            timer.start()

    def apply_mute(self, leg: CallLeg) -> None:
        """What the bridge sends into the call: level 0 while muted (no signalling)."""
        media = leg.audio_media
        if media is not None and leg.media_started:
            level = 0.0 if leg.muted else 1.0
            _quietly("mute", lambda: media.adjustRxLevel(level))

    def send_dtmf(self, leg: CallLeg, digits: str, method: int) -> None:
        call = leg.sip_call
        if call is None:
            raise invalid_state("the call is ending")
        if method == pb.DTMF_METHOD_SIP_INFO:
            leg.info_digits += digits
            self.next_info_digit(leg)
        elif method == pb.DTMF_METHOD_INBAND:
            self._play_tones(leg, digits)
        elif method in (pb.DTMF_METHOD_RFC2833, pb.DTMF_METHOD_UNSPECIFIED):
            call.dialDtmf(digits)
        else:
            raise invalid_argument(f"unknown DTMF method {method}")
        # Local feedback: the agent hears the key that went out (the last one of a string).
        if digits and method != pb.DTMF_METHOD_INBAND:
            self.tone(leg, f"dtmf:{digits[-1]}", seconds=0.15)

    def next_info_digit(self, leg: CallLeg, answered: bool = False) -> None:
        """Send the next queued digit by SIP INFO once the previous one was answered.

        pjsua would send one INFO per digit at once; through a multi-process proxy they
        can overtake each other and the far end refuses the older CSeq (500, RFC 3261
        section 12.2.2), losing a digit. One INFO in flight avoids that.
        """
        if answered:
            leg.info_sent_at = None
        call = leg.sip_call
        if leg.info_sent_at is not None or not leg.info_digits or call is None:
            return
        digit, leg.info_digits = leg.info_digits[0], leg.info_digits[1:]
        prm = pj.CallSendDtmfParam()
        prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
        prm.digits = digit
        prm.duration = 160
        leg.info_sent_at = time.monotonic()
        call.sendDtmf(prm)

    def _play_tones(self, leg: CallLeg, digits: str) -> None:
        if leg.audio_media is None or not leg.media_started:
            raise invalid_state("in-band DTMF needs the call's audio to be active")
        if leg.tone_generator is None:
            self._connect_tone_generator(leg, leg.audio_media)
        tones = pj.ToneDigitVector()
        for digit in digits:
            tone = pj.ToneDigit()
            tone.digit = digit
            tone.on_msec = INBAND_TONE_MS
            tone.off_msec = INBAND_TONE_MS
            tone.volume = 0
            tones.append(tone)
        leg.tone_generator.playDigits(tones)

    def release(self, leg: CallLeg) -> None:
        """Destroy the call's media helpers (before its ``SipCall`` goes)."""
        generator, leg.tone_generator = leg.tone_generator, None
        if generator is not None:
            _quietly("tone stop", generator.stop)
            del generator
        leg.audio_media = None

    # ----- local conference ------------------------------------------------------------

    def merge(self, legs: list[CallLeg]) -> str:
        """Give the calls one conference id and connect the media of those not on hold.

        A held call joins when its media comes back (``_started``), so merging can
        retrieve it first.
        """
        if len(legs) < 2:
            raise invalid_argument("a conference needs at least two calls")
        conference_id = next((leg.conference_id for leg in legs if leg.conference_id), "")
        conference_id = conference_id or f"conference-{next(_conference_numbers)}"
        for leg in legs:
            leg.conference_id = conference_id
        for leg in legs:
            self._join(leg)
        return conference_id

    def _join(self, leg: CallLeg) -> None:
        """Connect ``leg`` both ways with every active member of its conference."""
        if not leg.conference_id or not leg.media_started:
            return
        for other in self.legs.values():
            if other is leg or other.conference_id != leg.conference_id:
                continue
            if other.media_started and other.audio_media is not None:
                leg.audio_media.startTransmit(other.audio_media)
                other.audio_media.startTransmit(leg.audio_media)

    def split(self, leg: CallLeg, legs: dict[str, CallLeg]) -> list[CallLeg]:
        """Take ``leg`` out of its conference; return the legs whose conference changed."""
        if not leg.conference_id:
            raise invalid_state(f"call {leg.call_id} is not in a conference")
        members = [o for o in legs.values() if o.conference_id == leg.conference_id and o != leg]
        for other in members:
            _quietly("split", lambda o=other: leg.audio_media.stopTransmit(o.audio_media))
            _quietly("split", lambda o=other: o.audio_media.stopTransmit(leg.audio_media))
        leg.conference_id = ""
        if len(members) == 1:
            members[0].conference_id = ""
        return [leg, *members]

    def split_all(self, leg: CallLeg, legs: dict[str, CallLeg]) -> list[CallLeg]:
        """Take an ending call out of its conference; return the other changed legs."""
        return self.split(leg, legs)[1:] if leg.conference_id else []

    # ----- quality ---------------------------------------------------------------------

    def report_quality(self, leg: CallLeg, final: bool = False) -> None:
        quality = self._measure(leg) or leg.quality
        if quality is None:
            return
        quality.final = final
        leg.quality = quality
        self.context.publish(pb.Event(quality=pb.QualityReport(quality=quality)))

    def final_quality(self, leg: CallLeg) -> None:
        if leg.connected_unix_ms:
            self.report_quality(leg, final=True)

    def _measure(self, leg: CallLeg) -> pb.CallQuality | None:
        call = leg.sip_call
        if call is None or leg.media_index < 0:
            return None
        try:
            rtcp = call.getStreamStat(leg.media_index).rtcp
        except Exception:
            return None
        return quality_from_rtcp(leg.call_id, leg.codec, rtcp)


def _loss_pct(stream: Any) -> float:
    total = stream.pkt + stream.loss
    return 100.0 * stream.loss / total if total else 0.0


def quality_from_rtcp(call_id: str, codec: str, rtcp: Any) -> pb.CallQuality:
    """Figures of pjmedia's RTCP statistics, with an E-model MOS."""
    rtt_ms = rtcp.rttUsec.mean / 1000.0
    jitter_rx = rtcp.rxStat.jitterUsec.mean / 1000.0
    jitter_tx = rtcp.txStat.jitterUsec.mean / 1000.0
    loss_rx, loss_tx = _loss_pct(rtcp.rxStat), _loss_pct(rtcp.txStat)
    mos = emodel.estimate_mos(
        codec or "PCMU", rtt_ms, max(jitter_rx, jitter_tx), max(loss_rx, loss_tx)
    )
    return pb.CallQuality(
        call_id=call_id,
        codec=codec,
        rtt_ms=rtt_ms,
        jitter_rx_ms=jitter_rx,
        jitter_tx_ms=jitter_tx,
        loss_rx_pct=loss_rx,
        loss_tx_pct=loss_tx,
        mos=mos,
    )
