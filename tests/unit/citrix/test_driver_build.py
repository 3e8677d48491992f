"""The three builds of the SOFTPH driver are what Workspace app loads and export its entries."""

from __future__ import annotations

import subprocess

import pytest

from simulator.ica_engine import LINUX_DRIVER, WIN32_DRIVER, WIN64_DRIVER, ensure_built

ENTRIES = {
    "Load", "DriverOpen", "DriverClose", "DriverInfo", "DriverPoll",
    "DriverQueryInformation", "DriverSetInformation", "DriverGetLastError", "ICADataArrival",
}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    ensure_built()


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pe_exports(objdump: str, path: str) -> tuple[str, set[str]]:
    out = run(objdump, "-p", path)
    table = out.split("[Ordinal/Name Pointer] Table", 1)[1].split("\n\n", 1)[0]
    names = {line.split("]", 1)[1].strip() for line in table.splitlines() if "]" in line}
    return out, names


@pytest.mark.parametrize(
    ("objdump", "path", "machine"),
    [
        ("i686-w64-mingw32-objdump", WIN32_DRIVER, "i386"),
        ("x86_64-w64-mingw32-objdump", WIN64_DRIVER, "x86-64"),
    ],
    ids=["win32", "win64"],
)
def test_windows_dlls_export_the_driver_entries_undecorated(
    objdump: str, path: str, machine: str
) -> None:
    header = run(objdump, "-f", str(path))
    assert f"file format pei-{machine}" in header
    out, names = pe_exports(objdump, str(path))
    assert names >= ENTRIES, names
    assert not [n for n in names if "@" in n], "stdcall decorations would hide Load"
    imports = {
        line.split(":", 1)[1].strip().lower() for line in out.splitlines() if "DLL Name:" in line
    }
    # Nothing a thin client lacks: the system's own libraries only.
    assert imports <= {"kernel32.dll", "msvcrt.dll", "ws2_32.dll"}, imports


def test_the_linux_module_is_an_x86_64_shared_object_exporting_only_the_entries() -> None:
    assert LINUX_DRIVER.name == "VDSOFTPH.DLL"  # Workspace app for Linux names modules *.DLL
    assert LINUX_DRIVER.read_bytes()[:4] == b"\x7fELF"
    header = run("objdump", "-f", str(LINUX_DRIVER))
    assert "elf64-x86-64" in header and "DYNAMIC" in header
    table = run("objdump", "-T", str(LINUX_DRIVER))
    exported = {
        line.split()[-1] for line in table.splitlines() if " g " in line and ".text" in line
    }
    assert exported == ENTRIES
