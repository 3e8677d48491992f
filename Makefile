# One entry point for a fresh Debian 12 machine: every target installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint unit deps proto bench clean citrix citrix-driver packages

deps:
	sh tools/install-debs.sh

$(BIN)/.installed: pyproject.toml setup.py vdi_adapter/audio/_device_ring.c packaging/debian-packages.txt
	sh tools/install-debs.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/softphone-sim demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The Citrix virtual-channel driver (build/citrix/{linux-x64,win32,win64}) and QA's
# ICA engine emulator (build/citrix/emulator).
citrix-driver:
	$(MAKE) -s -C vdi_adapter/citrix_driver

citrix: citrix-driver
	$(MAKE) -s -C simulator/ica_engine

test: $(BIN)/.installed lint citrix
	$(BIN)/python -m pytest -q

unit: $(BIN)/.installed
	$(BIN)/python -m pytest -q tests/unit

proto: $(BIN)/.installed
	$(BIN)/python -m protocol.generate

bench: $(BIN)/.installed
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

# Everything IT installs, into dist/: the Debian packages (adapter for thin clients, app
# for xrdp hosts) and the Windows MSIs.
packages: $(BIN)/.installed citrix-driver
	$(BIN)/python packaging/deb/build_deb.py --out dist
	$(BIN)/python packaging/windows/build_msi.py --out dist

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
