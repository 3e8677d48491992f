"""Render the phone window's main states offscreen into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [--out DIR]

Each state is the view-model fed the snapshot and link status the adapter would
send in it; the incoming-call toast is drawn over the window's corner, where the
desktop would show it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication

from app_layer.phone import Report
from app_layer.state import LinkView
from app_layer.ui.app import Translations
from app_layer.ui.viewmodel import PhoneViewModel
from app_layer.ui.window import PhoneWindow
from protocol import pb

NOW_MS = int(time.time() * 1000)
UP = LinkView(state="connected", transport="rdp", media_offloaded=True, adapter_version="0.1.0")
REGISTERED = pb.Registration(
    account_id="sales", state=pb.REGISTRATION_STATE_REGISTERED, server="127.0.0.1:5060"
)


def call(call_id: str, state: int, remote: str, name: str = "", **fields: object) -> pb.Call:
    return pb.Call(
        call_id=call_id,
        state=state,  # type: ignore[arg-type]
        remote_uri=remote,
        remote_display_name=name,
        started_unix_ms=NOW_MS - 90_000,
        **fields,  # type: ignore[arg-type]
    )


def in_call(call_id: str = "c1", seconds: int = 83, **fields: object) -> pb.Call:
    return call(
        call_id,
        pb.CALL_STATE_CONNECTED,
        "sip:+33142680000@127.0.0.1",
        "Durand, Claire",
        direction=pb.CALL_DIRECTION_INBOUND,
        codec="G722/16000",
        connected_unix_ms=NOW_MS - seconds * 1000,
        **fields,
    )


def ringing() -> pb.Call:
    return call(
        "c2",
        pb.CALL_STATE_RINGING,
        "sip:4155550123@127.0.0.1",
        "",
        direction=pb.CALL_DIRECTION_INBOUND,
    )


def snapshot(*calls: pb.Call, mos: dict[str, float] | None = None) -> pb.Snapshot:
    quality = [pb.CallQuality(call_id=k, mos=v) for k, v in (mos or {}).items()]
    return pb.Snapshot(
        sequence=1,
        registrations=[REGISTERED],
        calls=list(calls),
        quality=quality,
        adapter_version="0.1.0",
    )


#: name -> (link status, snapshot, language)
STATES: dict[str, tuple[LinkView, pb.Snapshot, str]] = {
    "idle": (UP, snapshot(), "en"),
    "ringing": (UP, snapshot(ringing()), "en"),
    "in_call": (UP, snapshot(in_call(), mos={"c1": 4.3}), "en"),
    "on_hold": (UP, snapshot(in_call(on_hold=True), mos={"c1": 4.2}), "en"),
    "two_calls": (
        UP,
        snapshot(in_call(on_hold=True, seconds=240), ringing(), mos={"c1": 3.4}),
        "en",
    ),
    "adapter_lost": (
        LinkView(
            state="reconnecting",
            transport="rdp",
            media_offloaded=True,
            adapter_version="0.1.0",
            detail="adapter link lost: no heartbeat for 3 s",
        ),
        snapshot(in_call(seconds=42)),
        "en",
    ),
    "arabic": (UP, snapshot(in_call(), mos={"c1": 4.3}), "ar"),
}


def render(app: QApplication, name: str, out: Path) -> Path:
    link, snap, language = STATES[name]
    Translations(app).use(language)
    vm = PhoneViewModel(lambda *_: None, language)
    window = PhoneWindow(vm)
    window.resize(860, 480)
    window.show()
    vm.apply(Report("link", link=link))
    vm.apply(Report("snapshot", snapshot=snap))
    app.processEvents()
    image = window.grab()
    toast = next(iter(window.toasts.toasts.values()), None)
    if toast is not None:
        image = _overlay(image, toast.grab())
    target = out / f"{name}.png"
    image.save(str(target))
    window.toasts.close_all()
    window.close()
    return target


def _overlay(base: QPixmap, toast: QPixmap) -> QPixmap:
    """The window with the toast beside it, as in the desktop's corner."""
    margin = 16
    result = QPixmap(base.width() + toast.width() + 2 * margin, base.height())
    result.fill(QColor("#5b6b7a"))
    painter = QPainter(result)
    painter.drawPixmap(QPoint(0, 0), base)
    painter.drawPixmap(QPoint(base.width() + margin, margin), toast)
    painter.end()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[1]
    parser.add_argument("--out", type=Path, default=root / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    renderers: list[Callable[[], Path]] = [
        lambda n=name: render(app, n, args.out)  # type: ignore[misc]
        for name in STATES
    ]
    for make in renderers:
        print(make())
    return 0


if __name__ == "__main__":
    sys.exit(main())
