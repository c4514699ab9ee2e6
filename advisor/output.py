"""Write an output file atomically: a reader sees the old file or the whole new one, never half.

What `-o FILE` does with what is already there (README, Security):
- nothing, or a regular file: replaced by the new one through a temporary file in the same
  folder and a rename. A new file gets the permissions the user's umask gives (0644 under the
  usual 022); a replaced file keeps its own.
- a symlink: written through. The file it points at is replaced, the link stays a link.
- anything else (a device node such as /dev/null, a FIFO, a socket): refused before any work.
  A rename over a device node would replace the node itself, as root even /dev/null.
Failures are one line: exit 2 when the path is the problem (no such folder, read-only or
immutable folder, permission, name too long), exit 1 when the disk is (full, quota, I/O error).
Nothing is left behind either way.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from advisor import regexcache
from advisor.errors import EXIT_IO_FAILURE, IO_FAILURE_ERRNOS, UserError
from advisor.safefile import not_regular_reason

_LONE_SURROGATE = regexcache.compile("[\ud800-\udfff]")
_TEMP_NAME_CHARS = 100  # of the target's name in the temp name: ".NAME.XXXXXXXX.tmp" <= 255


def encodable(text: str) -> str:
    """text that UTF-8 can encode: a lone surrogate (JSON "\\ud800" in a config value, a
    data field name or a Hub answer) becomes U+FFFD instead of failing every output format."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def check_writable(path: str | Path) -> None:
    """Fail early (before any work) when an output cannot be written to `path`."""
    target = Path(path)
    folder = target.parent  # Path("report.md").parent is Path(".")
    if not folder.is_dir():
        if folder.exists():  # "-o notes.txt/report.md": the folder named is a file
            raise UserError(f"{target}: {folder} is not a folder", hint="give a path in a folder")
        raise UserError(f"{target}: folder {folder} does not exist", hint="create it first")
    try:
        mode = os.stat(target).st_mode  # after symlinks: what a write would reach
    except FileNotFoundError:
        return
    except OSError as exc:  # a name too long, a loop of symlinks, ...
        raise _write_error(target, exc) from None
    if stat.S_ISDIR(mode):
        raise UserError(f"{target} is a directory", hint="give a file name for the output")
    if not stat.S_ISREG(mode):
        raise UserError(
            f"{target} is {not_regular_reason(mode)}; advisor writes reports only to regular files",
            hint="give a file path, or write to stdout and redirect it",
        )


def write_atomic(path: str | Path, text: str) -> None:
    target = Path(path)
    check_writable(target)
    # Through a symlink: replace the file it points at, not the link.
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    data = encodable(text).encode("utf-8")
    mode = _mode_for(real)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{real.name[:_TEMP_NAME_CHARS]}.", suffix=".tmp", dir=real.parent
        )
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)  # mkstemp makes 0600 whatever the umask
            os.fsync(handle.fileno())
        os.replace(tmp, real)
    except BaseException as exc:  # whatever stops the write, the temporary file goes
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _write_error(target, exc) from None
        raise


def _mode_for(target: Path) -> int:
    """A replaced file keeps its permissions; a new one gets what the umask allows."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
        os.umask(mask)
        return 0o666 & ~mask


def _write_error(target: Path, exc: OSError) -> UserError:
    message = f"{target}: cannot write ({exc.strerror or exc})"
    if exc.errno in IO_FAILURE_ERRNOS:
        return UserError(
            message, hint="free some space or write elsewhere", exit_code=EXIT_IO_FAILURE
        )
    hints = {
        errno.ENAMETOOLONG: "use a shorter file name",
        errno.EROFS: "the folder is on a read-only file system: write elsewhere",
        errno.EACCES: "the folder is not writable by you: write elsewhere",
        errno.EPERM: "the folder or file is protected (immutable?): write elsewhere",
    }
    return UserError(message, hint=hints.get(exc.errno))
