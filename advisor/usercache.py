"""Sealed files under the user cache: what advisor derived from its own data, kept between runs.

A file is one JSON header line (its stamp, e.g. format and advisor version, plus the body's
length and CRC-32) and the body. A file whose stamp differs, or whose body does not match its
length and checksum (truncated, corrupt, edited), reads as absent, never half-trusted. CRC-32,
not a cryptographic hash: it guards against damage, not against someone who can write to the
user's own cache (what is read back is plain values that are validated before use, never
code), and SHA-256 of the ~600 KB both stores hold cost ~7% of a cold run's own work.
Writes are atomic (temp file + os.replace) and best-effort: a read-only or missing cache only
costs the work it would save.
The folder is ADVISOR_CACHE_DIR, else $XDG_CACHE_HOME/advisor or ~/.cache/advisor. A store's
body is marshal (plain values only; its format belongs to one Python version, which every
store's stamp names).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor import __version__


def cache_dir() -> Path:
    if root := os.environ.get("ADVISOR_CACHE_DIR"):
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(xdg).expanduser() / "advisor"


def seal(body: bytes) -> dict[str, int]:
    """What the header says of the body: its length and CRC-32."""
    return {"bytes": len(body), "crc32": zlib.crc32(body)}


def write_sealed(path: Path, stamp: dict[str, Any], body: bytes) -> None:
    header = json.dumps({**stamp, **seal(body)}).encode("ascii")
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(header + b"\n" + body)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class SealedStore:
    """Entries kept in one sealed file, <name>-<advisor version>-<Python cache tag>.marshal in
    the cache folder, stamped with both versions besides the caller's stamp: read on first use;
    what a run adds is merged with the file's entries (those `keep` still wants) and written at
    exit, or at flush(). Entries come back as the file holds them: the caller checks their
    shape before use."""

    def __init__(
        self,
        name: str,
        stamp: dict[str, Any],
        keep: Callable[[str, Any], bool] = lambda key, value: True,
    ):
        self.name, self._keep = name, keep
        self.stamp = {**stamp, "advisor": __version__, "python": sys.version}
        self._held: dict[str, Any] | None = None  # what the file held at first use
        self._new: dict[str, Any] = {}  # added in this run, waiting to be written

    def path(self) -> Path:
        return cache_dir() / f"{self.name}-{__version__}-{sys.implementation.cache_tag}.marshal"

    def entries(self) -> dict[str, Any]:
        """What the file holds now (none at all when it is missing, foreign or damaged): its
        body only when the header is exactly this stamp with the body's own length and CRC."""
        try:
            with open(self.path(), "rb") as stream:
                header = json.loads(stream.readline())
                body = stream.read()
            entries = marshal.loads(body) if header == {**self.stamp, **seal(body)} else {}
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def get(self, key: str) -> Any:
        if self._held is None:
            self._held = self.entries()
        return self._held.get(key)  # what this run added itself is not handed out again

    def add(self, key: str, value: Any) -> None:
        if not self._new:
            atexit.register(self.flush)
        self._new[key] = value

    def reset(self) -> None:
        """Forget what this process read or added (tests; a long-running host)."""
        self._held = None
        self._new.clear()

    def flush(self) -> None:
        """Write this run's additions now. The merge starts again from the file, not from the
        values handed out this run (a caller may have changed those in place)."""
        if self._new:
            kept = {key: value for key, value in self.entries().items() if self._keep(key, value)}
            write_sealed(self.path(), self.stamp, marshal.dumps({**kept, **self._new}))
            self._held = None
        self._new.clear()
