"""Reading small local files we did not write: regular files only, never more than a cap.

A FIFO named config.json would block `open()` forever, and /dev/zero (or a symlink to it)
reports st_size 0 while reading without end. So a file is opened with O_NONBLOCK (a FIFO
opens at once instead of waiting for a writer), checked with fstat on the open descriptor (no
race with a rename), refused unless it is a regular file, and read with a cap on the bytes
actually read rather than on what stat claims. Symlinks are followed: the Hugging Face cache is
made of them, and what matters is what they point at.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class FileRefused(ValueError):
    """A file that is not read: not a regular file, or larger than the cap. `reason` is short
    and names no path (callers put the path where their messages put it)."""

    def __init__(self, path: str | Path, reason: str):
        self.reason = reason
        super().__init__(f"{path}: {reason}")


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular_reason(mode: int) -> str:
    """'a named pipe (FIFO), not a regular file' and the like, for messages."""
    kind = next((kind for is_kind, kind in _KINDS if is_kind(mode)), None)
    return f"{kind}, not a regular file" if kind else "not a regular file"


def open_regular(path: str | Path) -> BinaryIO:
    """Open a regular file for binary reading without ever blocking on a FIFO or device.

    Raises FileRefused for anything but a regular file, OSError (FileNotFoundError,
    PermissionError, ...) when it cannot be opened at all.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileRefused(path, not_regular_reason(mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: plain reads from here on
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | Path, cap: int) -> bytes:
    """All bytes of a regular file of at most `cap` bytes; FileRefused when it is longer.

    The cap counts bytes read, so a file that grows while we read, or lies about its size,
    still costs at most cap + 1 bytes of memory.
    """
    with open_regular(path) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:  # every cap advisor sets is a number of MB
        raise FileRefused(path, f"larger than the {cap / (1 << 20):g} MB allowed")
    return data
