"""Sealed files under the user cache: what advisor derived from its own data, kept between runs.

A file is one JSON header line (its stamp, e.g. format and advisor version, plus the SHA-256 of
the body) and the body. A file whose stamp differs, or whose body does not match its checksum
(truncated, corrupt, edited), reads as absent, never half-trusted. Writes are atomic (temp file
+ os.replace) and best-effort: a read-only or missing cache only costs the work it would save.
The folder is ADVISOR_CACHE_DIR, else $XDG_CACHE_HOME/advisor or ~/.cache/advisor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    root = os.environ.get("ADVISOR_CACHE_DIR")
    if root:
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(xdg).expanduser() / "advisor"


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def read_sealed(path: Path, stamp: dict[str, Any]) -> bytes | None:
    """The body of a sealed file with exactly this stamp, or None."""
    try:
        with open(path, "rb") as stream:
            header = json.loads(stream.readline())
            body = stream.read()
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header != {**stamp, "sha256": digest(body)}:
        return None
    return body


def write_sealed(path: Path, stamp: dict[str, Any], body: bytes) -> None:
    header = json.dumps({**stamp, "sha256": digest(body)}).encode("ascii")
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
