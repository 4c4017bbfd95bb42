"""Peak memory of the current process, for the benches' child processes."""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """This process's own peak resident memory. Linux keeps ru_maxrss across
    fork+exec, so a child of a big parent would report the parent's peak:
    /proc/self/status VmHWM is the high-water mark of this process's memory alone."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
