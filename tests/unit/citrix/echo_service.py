"""What a test's "start the adapter" command runs: an echo service on a Unix socket."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from simulator.ica_engine.adapter_standin import EchoAdapter

if __name__ == "__main__":
    Path(sys.argv[2]).write_text(str(os.getpid()))
    EchoAdapter(Path(sys.argv[1]))
    time.sleep(120)
