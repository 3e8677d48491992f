"""The Windows MSIs as IT meets them: the tables we mean, then installed and removed under Wine
with the registry and files checked (Citrix's shared VirtualDriverEx list included)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.ica_engine import Wine, ensure_built

# Building the MSIs and a Wine prefix takes minutes, not the default two.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[3]
MODULES = r"HKLM\SOFTWARE\Citrix\ICA Client\Engine\Configuration\Advanced\Modules"
OTHERS = "Thinwire3.0, ClientDrive, ZZVENDOR"  # other vendors' channels, as found


@dataclass
class Windows:
    wine: Wine
    msis: dict[str, Path]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*self.wine.command(), *args], capture_output=True, text=True, timeout=300,
            env={**__import__("os").environ, **self.wine.env()}, check=False,
        )  # fmt: skip
        if check:
            assert done.returncode == 0, (args, done.stdout[-1000:], done.stderr[-1000:])
        return done

    def reg(self, key: str, view: str = "64") -> str:
        done = self.run("reg", "query", key, f"/reg:{view}", check=False)
        return done.stdout.replace("\r", "") if done.returncode == 0 else ""

    def drive_c(self) -> Path:
        return self.wine.prefix / "drive_c"


def msi_table(msi: Path, table: str) -> str:
    return subprocess.run(["msiinfo", "export", str(msi), table], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip


@pytest.fixture(scope="module")
def windows(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Windows]:
    ensure_built()
    out = tmp_path_factory.mktemp("msi")
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging/windows/build_msi.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    msis = {Path(line).name.split("-0")[0]: Path(line) for line in done.stdout.split()}
    wine = Wine()
    try:
        yield Windows(wine, msis)
    finally:
        wine.close()


def test_the_tables_say_what_we_mean(windows: Windows) -> None:
    msi = windows.msis["softphone-adapter"]
    tables = subprocess.run(["msiinfo", "tables", str(msi)], capture_output=True, text=True,
                            check=True).stdout.split()  # fmt: skip
    for table in ("File", "Component", "Registry", "Property", "Upgrade", "CustomAction",
                  "AppSearch", "LaunchCondition", "InstallExecuteSequence"):  # fmt: skip
        assert table in tables
    properties = msi_table(msi, "Property")
    assert "UpgradeCode\t{6F1D3A52-8C41-4F4E-B0A7-3F2D9B1C5E01}" in properties
    assert "ALLUSERS\t1" in properties and "ProductVersion\t0.1.0" in properties
    registry = msi_table(msi, "Registry")
    assert "Modules\\SOFTPH\\\tDriverName\tvdsoftph.dll" in registry
    assert "WOW6432Node\\Citrix" in registry and "SoftphoneAdapter" in registry
    assert "PYTHONEXE OR PYTHONDIR" in msi_table(msi, "LaunchCondition")
    actions = msi_table(msi, "CustomAction")
    assert "add SOFTPH" in actions and "remove SOFTPH" in actions
    files = msi_table(msi, "File")
    for name in ("softphone-adapter.exe", "softphone-vclist.exe", "vdsoftph.dll", "BUNDLED.txt",
                 "softphone-GPL-3.0-or-later.txt", "pjproject-GPL-2.0-or-later.txt"):  # fmt: skip
        assert f"\t{name}\t" in files, name


def test_the_adapter_installs_registers_and_uninstalls_cleanly_under_wine(
    windows: Windows,
) -> None:
    citrix = r"C:\Program Files\Citrix\ICA Client"
    windows.run("reg", "add", rf"{MODULES}\ICA 3.0", "/v", "VirtualDriverEx", "/d", OTHERS,
                "/f", "/reg:64")  # fmt: skip
    windows.run("reg", "add", r"HKLM\SOFTWARE\Citrix\Install\ICA Client", "/v",
                "InstallFolder", "/d", citrix, "/f", "/reg:64")  # fmt: skip
    (windows.drive_c() / "Program Files/Citrix/ICA Client").mkdir(parents=True)
    msi = str(windows.msis["softphone-adapter"])
    without_python = windows.run("msiexec", "/i", msi, "/qn", check=False)
    assert without_python.returncode != 0, "installed although no CPython 3.12 was found"
    windows.run("msiexec", "/i", msi, "/qn", r"PYTHONDIR=C:\python312",
                "SERVER=pbx.example.com", "TRANSPORT=citrix")  # fmt: skip

    home = windows.drive_c() / "Program Files/Softphone Adapter"
    assert (home / "softphone-adapter.exe").exists()
    assert (home / "lib/vdi_adapter/cli.py").exists()
    assert (home / "lib/pjsua2/_pjsua2.cp312-win_amd64.pyd").exists()
    assert (windows.drive_c() / "Program Files/Citrix/ICA Client/vdsoftph.dll").exists()
    assert f"VirtualDriverEx    REG_SZ    {OTHERS},SOFTPH" in windows.reg(rf"{MODULES}\ICA 3.0")
    assert "DriverName    REG_SZ    vdsoftph.dll" in windows.reg(rf"{MODULES}\SOFTPH")
    settings = windows.reg(r"HKLM\SOFTWARE\Softphone\Adapter")
    assert "pbx.example.com" in settings and "citrix" in settings
    run_key = windows.reg(r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run")
    assert r'"C:\Program Files\Softphone Adapter\softphone-adapter.exe"' in run_key
    launcher = windows.run(r"C:\Program Files\Softphone Adapter\softphone-adapter.exe",
                           "--version", check=False)  # fmt: skip
    assert launcher.returncode == 2 and "python312.dll" in launcher.stderr, launcher.stderr

    windows.run("msiexec", "/x", msi, "/qn")
    assert not home.exists() or not any(home.rglob("*.py"))
    assert not (windows.drive_c() / "Program Files/Citrix/ICA Client/vdsoftph.dll").exists()
    assert f"VirtualDriverEx    REG_SZ    {OTHERS}\n" in windows.reg(rf"{MODULES}\ICA 3.0")
    assert not windows.reg(rf"{MODULES}\SOFTPH")
    assert "SoftphoneAdapter" not in windows.reg(
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run"
    )


def test_a_newer_adapter_msi_upgrades_in_place(windows: Windows, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging/windows/build_msi.py"), "--adapter",
         "--version", "0.1.1", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    windows.run("reg", "add", rf"{MODULES}\ICA 3.0", "/v", "VirtualDriverEx", "/d", OTHERS,
                "/f", "/reg:64")  # fmt: skip
    python = r"PYTHONDIR=C:\python312"
    windows.run("msiexec", "/i", str(windows.msis["softphone-adapter"]), "/qn", python)
    windows.run("msiexec", "/i", done.stdout.strip(), "/qn", python)
    products = windows.run("reg", "query",
                           r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall", "/s",
                           "/reg:64", check=False).stdout  # fmt: skip
    assert products.count("Softphone Adapter") == 1, "the older version stayed installed"
    assert "0.1.1" in products
    assert (windows.drive_c() / "Program Files/Softphone Adapter/softphone-adapter.exe").exists()
    assert f"VirtualDriverEx    REG_SZ    {OTHERS},SOFTPH\n" in windows.reg(rf"{MODULES}\ICA 3.0")
    windows.run("msiexec", "/x", done.stdout.strip(), "/qn")
    assert f"VirtualDriverEx    REG_SZ    {OTHERS}\n" in windows.reg(rf"{MODULES}\ICA 3.0")


def test_the_app_installs_at_the_path_the_allow_list_names(windows: Windows) -> None:
    msi = str(windows.msis["softphone"])
    windows.run("msiexec", "/i", msi, "/qn", r"PYTHONDIR=C:\python312", "TRANSPORT=citrix")
    home = windows.drive_c() / "Program Files/Softphone"
    assert (home / "softphone.exe").exists()
    assert (home / "lib/app_layer/cli.py").exists() and (home / "lib/PySide6").is_dir()
    assert not (home / "lib/vdi_adapter").exists() and not (home / "lib/pjsua2").exists()
    assert "citrix" in windows.reg(r"HKLM\SOFTWARE\Softphone\App")
    windows.run("msiexec", "/x", msi, "/qn")
    assert not (home / "softphone.exe").exists()
    shutil.rmtree(home, ignore_errors=True)
