"""Which sound devices a call uses: contact-centre selection rules as a pure function.

Theory of operation: the admin gives ordered preference lists (``pb.DeviceRules``) for
the headset, the microphone, the speaker and the ringer; each entry is a device name
(matched whole, ignoring case) or else a regular expression (searched, ignoring case).
``select`` takes the devices present now, the compiled rules and the agent's explicit
choice, and returns a ``Selection`` with a reason a person can read. It owns no device,
thread or clock: the driver (``devices.DeviceWatcher``) calls it at start and after every
change of the device list, and tells the app when the answer changes.

Order of precedence, per role:
1. an explicit choice from the app, while that device is present (kept until reset, so
   a re-plugged device is picked again);
2. with ``use_headset``: the first present device in the headset list that can both
   play and record takes microphone and speaker;
3. the microphone / speaker lists, first present match in list order;
4. PortAudio's default input / output device.
The ringer is the first ringer-list match, else the device calls play on; with
``ring_on_speaker`` the speaker (chosen by the speaker list, headset excluded) rings too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from protocol import pb


class DeviceRulesError(ValueError):
    """A rule entry is neither a device name nor a valid regular expression."""


@dataclass(frozen=True)
class DeviceEntry:
    """One sound device as PortAudio reports it."""

    name: str
    """Product name, e.g. "Jabra EVOLVE 40"."""
    host_api: str
    """PortAudio host API, e.g. "ALSA", "Windows WASAPI"."""
    max_input_channels: int
    """0 for a device that cannot record."""
    max_output_channels: int
    """0 for a device that cannot play."""
    default_samplerate: float
    """The rate the device prefers."""
    is_default_input: bool = False
    """PortAudio's default input device."""
    is_default_output: bool = False
    """PortAudio's default output device."""

    @property
    def device_id(self) -> str:
        """Stable across PortAudio re-initialisation (indexes are not)."""
        return f"{self.host_api}:{self.name}"

    @property
    def can_record(self) -> bool:
        return self.max_input_channels > 0

    @property
    def can_play(self) -> bool:
        return self.max_output_channels > 0

    def to_proto(self) -> pb.AudioDevice:
        return pb.AudioDevice(
            device_id=self.device_id,
            name=self.name,
            host_api=self.host_api,
            max_input_channels=self.max_input_channels,
            max_output_channels=self.max_output_channels,
            default_samplerate=self.default_samplerate,
            is_default_input=self.is_default_input,
            is_default_output=self.is_default_output,
        )


@dataclass(frozen=True)
class Preference:
    """One rule entry: a device name, or else a regular expression."""

    text: str
    pattern: re.Pattern[str]

    def matches(self, device: DeviceEntry) -> bool:
        return device.name.casefold() == self.text.casefold() or bool(
            self.pattern.search(device.name)
        )


@dataclass(frozen=True)
class CompiledRules:
    """``pb.DeviceRules`` with every entry checked and compiled."""

    headset: tuple[Preference, ...] = ()
    microphone: tuple[Preference, ...] = ()
    speaker: tuple[Preference, ...] = ()
    ringer: tuple[Preference, ...] = ()
    use_headset: bool = False
    ring_on_speaker: bool = False


@dataclass(frozen=True)
class ExplicitChoice:
    """Devices the agent chose in the app (device id or name; "" = let the rules decide)."""

    microphone: str = ""
    speaker: str = ""
    ringer: str = ""

    @property
    def empty(self) -> bool:
        return not (self.microphone or self.speaker or self.ringer)


@dataclass(frozen=True)
class Selection:
    """The devices calls use now, and why."""

    microphone: DeviceEntry | None
    """Records the agent; None when no device can record."""
    speaker: DeviceEntry | None
    """Plays the call; None when no device can play."""
    ringers: tuple[DeviceEntry, ...]
    """Play the ring tone, first one primary."""
    headset_in_use: bool
    """Microphone and speaker are the headset chosen by the headset rules."""
    explicit: bool
    """At least one role was chosen by the agent rather than the rules."""
    reason: str
    """Readable account of the choice, shown to the agent and IT."""

    def to_proto(self) -> pb.ActiveDevices:
        return pb.ActiveDevices(
            microphone=self.microphone.device_id if self.microphone else "",
            speaker=self.speaker.device_id if self.speaker else "",
            ringer=self.ringers[0].device_id if self.ringers else "",
            headset_in_use=self.headset_in_use,
            explicit_choice=self.explicit,
            reason=self.reason,
        )


def compile_rules(rules: pb.DeviceRules | None) -> CompiledRules:
    """Check and compile the admin's rules; raises ``DeviceRulesError`` naming a bad entry."""
    if rules is None:
        return CompiledRules()
    return CompiledRules(
        headset=_compile_list("headset", rules.headset),
        microphone=_compile_list("microphone", rules.microphone),
        speaker=_compile_list("speaker", rules.speaker),
        ringer=_compile_list("ringer", rules.ringer),
        use_headset=rules.use_headset,
        ring_on_speaker=rules.ring_on_speaker,
    )


def _compile_list(role: str, entries: Sequence[str]) -> tuple[Preference, ...]:
    compiled = []
    for text in entries:
        if not text.strip():
            raise DeviceRulesError(f"{role} rule is empty")
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error as error:
            raise DeviceRulesError(
                f"{role} rule {text!r} is not a valid pattern: {error}"
            ) from None
        compiled.append(Preference(text, pattern))
    return tuple(compiled)


def first_match(
    devices: Sequence[DeviceEntry],
    preferences: Sequence[Preference],
    *,
    playing: bool = False,
    recording: bool = False,
    exclude: DeviceEntry | None = None,
) -> tuple[DeviceEntry, Preference] | None:
    """The first device, in preference order, that matches and can do what is asked."""
    for preference in preferences:
        for device in devices:
            if device == exclude or (playing and not device.can_play):
                continue
            if (recording and not device.can_record) or not preference.matches(device):
                continue
            return device, preference
    return None


def find_device(devices: Sequence[DeviceEntry], wanted: str) -> DeviceEntry | None:
    """A device by id, else by exact name."""
    for device in devices:
        if wanted in (device.device_id, device.name):
            return device
    return None


def select(
    devices: Sequence[DeviceEntry], rules: CompiledRules, choice: ExplicitChoice | None = None
) -> Selection:
    """Apply the explicit choice, then the rules, then the defaults (see module docstring)."""
    choice = choice or ExplicitChoice()
    reasons: list[str] = []
    headset = _pick_headset(devices, rules, reasons)
    microphone = _pick_role(
        devices, "microphone", rules.microphone, headset=headset, choice=choice, reasons=reasons
    )
    speaker = _pick_role(
        devices, "speaker", rules.speaker, headset=headset, choice=choice, reasons=reasons
    )
    ringers = _pick_ringers(
        devices, rules, speaker, headset=headset, choice=choice, reasons=reasons
    )
    headset_in_use = headset is not None and microphone == headset and speaker == headset
    explicit = any(reason.startswith("chosen by the agent") for reason in reasons)
    return Selection(microphone, speaker, ringers, headset_in_use, explicit, "; ".join(reasons))


def _pick_headset(
    devices: Sequence[DeviceEntry], rules: CompiledRules, reasons: list[str]
) -> DeviceEntry | None:
    if not rules.use_headset:
        return None
    found = first_match(devices, rules.headset, playing=True, recording=True)
    if found is None:
        reasons.append("no headset present")
        return None
    reasons.append(f"headset {found[0].name} (rule {found[1].text!r})")
    return found[0]


def _pick_role(
    devices: Sequence[DeviceEntry],
    role: str,
    preferences: Sequence[Preference],
    *,
    headset: DeviceEntry | None,
    choice: ExplicitChoice,
    reasons: list[str],
) -> DeviceEntry | None:
    recording = role == "microphone"
    chosen = find_device(devices, getattr(choice, role))
    if chosen is not None and (chosen.can_record if recording else chosen.can_play):
        reasons.append(f"chosen by the agent: {role} {chosen.name}")
        return chosen
    if getattr(choice, role):
        reasons.append(f"{role} chosen by the agent ({getattr(choice, role)}) is not present")
    if headset is not None:
        return headset
    return _by_rule_or_default(devices, role, preferences, reasons)


def _by_rule_or_default(
    devices: Sequence[DeviceEntry],
    role: str,
    preferences: Sequence[Preference],
    reasons: list[str],
) -> DeviceEntry | None:
    recording = role == "microphone"
    found = first_match(devices, preferences, playing=not recording, recording=recording)
    if found is not None:
        reasons.append(f"{role} {found[0].name} (rule {found[1].text!r})")
        return found[0]
    default = _default_device(devices, recording)
    if default is None:
        reasons.append(f"no {role} present")
        return None
    reasons.append(f"{role} {default.name} (system default)")
    return default


def _default_device(devices: Sequence[DeviceEntry], recording: bool) -> DeviceEntry | None:
    capable = [d for d in devices if (d.can_record if recording else d.can_play)]
    for device in capable:
        if device.is_default_input if recording else device.is_default_output:
            return device
    return capable[0] if capable else None


def _pick_ringers(
    devices: Sequence[DeviceEntry],
    rules: CompiledRules,
    speaker: DeviceEntry | None,
    *,
    headset: DeviceEntry | None,
    choice: ExplicitChoice,
    reasons: list[str],
) -> tuple[DeviceEntry, ...]:
    chosen = find_device(devices, choice.ringer)
    found = first_match(devices, rules.ringer, playing=True)
    if chosen is not None and chosen.can_play:
        primary: DeviceEntry | None = chosen
        reasons.append(f"chosen by the agent: ringer {chosen.name}")
    elif found is not None:
        primary = found[0]
        reasons.append(f"ringer {found[0].name} (rule {found[1].text!r})")
    else:
        primary = speaker
    ringers = [primary] if primary is not None else []
    if rules.ring_on_speaker:
        loudspeaker = _loudspeaker(devices, rules, headset)
        if loudspeaker is not None and loudspeaker not in ringers:
            ringers.append(loudspeaker)
            reasons.append(f"also ringing on {loudspeaker.name}")
    return tuple(ringers)


def _loudspeaker(
    devices: Sequence[DeviceEntry], rules: CompiledRules, headset: DeviceEntry | None
) -> DeviceEntry | None:
    found = first_match(devices, rules.speaker, playing=True, exclude=headset)
    if found is not None:
        return found[0]
    default = _default_device([d for d in devices if d != headset], recording=False)
    return default


def headset_missing(selection: Selection, rules: CompiledRules) -> bool:
    """The rules want a headset, none is present and the agent chose nothing instead."""
    return rules.use_headset and not selection.headset_in_use and not selection.explicit


def describe_change(old: Sequence[DeviceEntry], new: Sequence[DeviceEntry]) -> str:
    """Readable difference of two device lists, e.g. "added: Jabra EVOLVE 40"."""
    old_ids = {d.device_id for d in old}
    new_ids = {d.device_id for d in new}
    added = [d.name for d in new if d.device_id not in old_ids]
    removed = [d.name for d in old if d.device_id not in new_ids]
    parts = []
    if added:
        parts.append("added: " + ", ".join(added))
    if removed:
        parts.append("removed: " + ", ".join(removed))
    return "; ".join(parts) or "device properties changed"
