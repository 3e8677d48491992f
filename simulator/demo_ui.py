"""``softphone-sim demo --ui``: the demo with the agent's real window showing it.

Qt owns the main thread; the simulated world and the demo run on the window's
asyncio thread (the same ``AsyncBridge`` the product uses), so the window is fed
exactly as in production: reports from the phone, through queued signals.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app_layer.phone import Phone
from app_layer.settings import Settings
from app_layer.ui.app import PhoneApp
from app_layer.ui.signals import emit
from simulator.demo import Demo
from simulator.steps import StepFailed
from simulator.timeline import Timeline
from simulator.world import SimWorld


class _Finished(QObject):
    done = Signal(int)


class DemoBackend:
    """The bridge's backend: starts the world, then runs the demo on the same loop."""

    def __init__(
        self,
        profile: str,
        cut_s: float,
        finished: _Finished,
    ) -> None:
        self.profile = profile
        self.cut_s = cut_s
        self.phone: Phone | None = None
        self._finished = finished
        self._timeline = Timeline()
        self._world = SimWorld(
            profile,
            {"customer": "5001", "supervisor": "5002"},
            on_change=self._timeline.agent_saw,
            peer_auto_answer={"supervisor": 200},
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> int:
        await self._world.__aenter__()
        self.phone = self._world.phone
        self.connector = self._world.connector
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self._world.connector_port

    async def _run(self) -> None:
        demo = Demo(self._world, self._timeline)
        code = 0
        try:
            await demo.run(self.cut_s)
            demo.summary.print()
        except StepFailed as error:
            print(f"\ndemo failed: {error}")
            code = 1
        await asyncio.sleep(1.0)  # let the window show the end
        emit(self._finished.done, code)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._world.__aexit__(None, None, None)


def run_demo_ui(profile: str, cut_s: float, screenshot: Path | None = None) -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        print(
            "softphone-sim: --ui needs a display: run it under Xvfb "
            "(xvfb-run softphone-sim demo --ui) or set QT_QPA_PLATFORM=offscreen",
            file=sys.stderr,
        )
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    finished = _Finished()
    backend = DemoBackend(profile, cut_s, finished)
    phone_app = PhoneApp(app, backend, Settings())
    result: list[int] = []

    def done(code: int) -> None:
        if screenshot is not None:
            phone_app.window.grab().save(str(screenshot))
        result.append(code)
        app.quit()

    finished.done.connect(done)
    phone_app.start()
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: done(1))
    watchdog.start(180_000)
    try:
        app.exec()
    finally:
        phone_app.stop()
    return result[0] if result else 1
