"""Run a command and report its own peak RSS, not that of the process it was started from.

A child's ru_maxrss (wait4, getrusage) is at least the peak RSS of its parent at the spawn: at
exec, Linux keeps the high-water mark of the memory the child started with (fs/exec.c,
setmax_mm_hiwater_rss). Started straight from a pytest worker that has grown past 300 MB, every
child "peaked" at 300 MB and the memory bounds failed by test order. Through this small launcher
the command is spawned from a ~10 MB process, and the launcher's wait4 reports it alone.

    python tests/peak_rss.py OUT_FILE CMD...   (the peak in KB goes to OUT_FILE; exits as CMD)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LAUNCHER = str(Path(__file__).resolve())


def command(out_file: Path, cmd: list[str]) -> list[str]:
    """`cmd` run through this launcher, its peak RSS written to `out_file`."""
    return [sys.executable, LAUNCHER, str(out_file), *cmd]


def peak_mb(out_file: Path) -> float:
    """The peak the launcher wrote, in MB (0 when it was killed before writing it)."""
    try:
        return int(out_file.read_text()) / 1024
    except (OSError, ValueError):
        return 0.0


def main() -> None:
    out, cmd = sys.argv[1], sys.argv[2:]
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    Path(out).write_text(str(usage.ru_maxrss))
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        os.kill(os.getpid(), -code)  # end as the command ended: killed stays killed
    sys.exit(code)


if __name__ == "__main__":
    main()
