"""Registering the SOFTPH driver with Workspace app touches only our entries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vdi_adapter.citrix_registration import (
    RegistrationError,
    add_to_list,
    edit_module_ini,
    register,
    remove_from_list,
    unregister,
)

# The shape of Workspace app for Linux's module.ini, with another vendor's channel in it.
MODULE_INI = """\
; Citrix Workspace app module configuration
[ICA 3.0]
VirtualDriver = Thinwire3.0, ClientDrive, ClientPrinterQueue, ZoomMedia
Thinwire3.0 = On
ClientDrive = On
ZoomMedia = On

[Thinwire3.0]
DriverName = VDTW30.DLL

[ZoomMedia]
DriverName = VDZOOM.DLL
"""


def test_register_lists_switches_on_and_describes_the_driver() -> None:
    text = register(MODULE_INI)
    assert "VirtualDriver = Thinwire3.0, ClientDrive, ClientPrinterQueue, ZoomMedia, SOFTPH" in text
    ica = text.split("[ICA 3.0]")[1].split("[")[0]
    assert "SOFTPH = On" in ica
    assert text.rstrip().endswith("[SOFTPH]\nDriverName = VDSOFTPH.DLL")
    assert "DriverName = VDZOOM.DLL" in text and text.startswith("; Citrix Workspace app")


def test_register_twice_is_one_entry_and_unregister_restores_the_file() -> None:
    twice = register(register(MODULE_INI))
    assert twice == register(MODULE_INI)
    assert twice.count(", SOFTPH") == 1 and twice.count("SOFTPH = On") == 1
    assert twice.count("[SOFTPH]") == 1
    assert unregister(twice) == MODULE_INI


def test_unregister_leaves_other_vendors_alone_and_is_idempotent() -> None:
    text = unregister(register(MODULE_INI))
    assert "ZoomMedia = On" in text and "SOFTPH" not in text
    assert unregister(text) == text


def test_a_file_without_the_ica_section_is_refused() -> None:
    with pytest.raises(RegistrationError, match=r"no \[ICA 3.0\] section"):
        register("[WFClient]\nVersion = 2\n")


@pytest.mark.parametrize(
    ("value", "added", "removed"),
    [
        ("", "SOFTPH", ""),
        ("MSTEAMS,ZOOM", "MSTEAMS, ZOOM, SOFTPH", "MSTEAMS, ZOOM"),
        ("MSTEAMS, softph, ZOOM", "MSTEAMS, softph, ZOOM", "MSTEAMS, ZOOM"),
    ],
)
def test_the_windows_virtualdriverex_list(value: str, added: str, removed: str) -> None:
    assert add_to_list(value) == added
    assert remove_from_list(add_to_list(value)) == removed


def test_the_command_edits_module_ini_in_place(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    ini = tmp_path / "config" / "module.ini"
    ini.write_text(MODULE_INI)
    assert "registered" in edit_module_ini(tmp_path, install=True)
    assert "[SOFTPH]" in ini.read_text()
    command = [sys.executable, "-m", "vdi_adapter.citrix_registration", "remove"]
    done = subprocess.run(
        [*command, "--icaroot", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert ini.read_text() == MODULE_INI


def test_no_workspace_app_is_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "vdi_adapter.citrix_registration", "install"]
    done = subprocess.run(
        [*command, "--icaroot", str(tmp_path / "none")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot read" in done.stderr
    assert "Traceback" not in done.stderr


def test_install_copies_the_driver_in_and_remove_takes_it_out(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    ini = tmp_path / "config" / "module.ini"
    ini.write_text(MODULE_INI)
    driver = tmp_path / "built" / "VDSOFTPH.DLL"
    driver.parent.mkdir()
    driver.write_bytes(b"\x7fELF driver")
    command = [sys.executable, "-m", "vdi_adapter.citrix_registration"]
    root = ["--icaroot", str(tmp_path)]
    install = [*command, "install", *root, "--driver", str(driver)]
    done = subprocess.run(install, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "VDSOFTPH.DLL").read_bytes() == b"\x7fELF driver"
    done = subprocess.run([*command, "remove", *root], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "VDSOFTPH.DLL").exists()
    assert ini.read_text() == MODULE_INI
