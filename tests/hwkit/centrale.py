"""Start `vigikfield simulate centrale` as a real subprocess on a real pty."""

from __future__ import annotations

import select
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def simulated_centrale(model: str = "VX-255", fault: str = "none"):
    """Yields the device path the simulator printed; stops it with SIGTERM after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vigikfield", "simulate", "centrale", "--model", model,
         "--fault", fault], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the simulator printed no device path"
        path = process.stdout.readline().strip()
        assert Path(path).exists(), path
        yield path
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()
    assert process.returncode in (0, -15), process.returncode
    assert not Path(path).exists(), "the simulator left its device link behind"
