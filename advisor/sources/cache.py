"""A disk cache of Hub API answers, so a repeated run makes no request at all.

Layout under the root: <org>--<name>/<sha>.json holds the answer for one commit (immutable in
practice), <org>--<name>/latest.json names the sha last seen for the repo and when. The TTL
applies to `latest`: within it we trust that the repo still points at that sha. Writes are
atomic (temp file + os.replace) so concurrent runs never see half a file.

Cache files are input like any other: only regular files are read, at most MAX_ENTRY_BYTES,
and an entry that is not what we write (a `fetched_at` that is not a finite time, JSON nested
too deeply, a damaged file) is ignored: it costs a request, never the run.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

from advisor import safejson
from advisor.safefile import read_capped
from advisor.sources.local import hf_home

TTL_SECONDS = 24 * 3600
_FUTURE_SLACK = 3600  # a fetched_at further ahead than this was not written by a clock we trust
_FORMAT = 1
MAX_ENTRY_BYTES = 32 << 20  # one model's answer (siblings included) is well under a megabyte
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


class AnswerCache:
    def __init__(self) -> None:
        # ADVISOR_CACHE_DIR, else <HF_HOME>/advisor/api (next to the Hub's own cache).
        root = os.environ.get("ADVISOR_CACHE_DIR")
        self.root = Path(root).expanduser() if root else hf_home() / "advisor" / "api"

    def _repo_dir(self, repo_id: str) -> Path:
        return self.root / _SAFE.sub("_", repo_id.replace("/", "--"))

    def _latest(self, repo_id: str, allow_stale: bool) -> str | None:
        """The sha last seen, if seen within the TTL (or at all, if allow_stale)."""
        latest = self._read(self._repo_dir(repo_id) / "latest.json")
        if not latest or not isinstance(latest.get("sha"), str):
            return None
        fetched_at = _timestamp(latest.get("fetched_at"))
        if fetched_at is None:
            return None  # not a time we wrote: as if never fetched
        age = time.time() - fetched_at
        if age < -_FUTURE_SLACK or (age > TTL_SECONDS and not allow_stale):
            return None
        return latest["sha"]

    def fresh(self, repo_id: str) -> bool:
        """Whether an answer within the TTL is on record (what decides if a fetch may wait)."""
        return self._latest(repo_id, False) is not None

    def current(self, repo_id: str, *, allow_stale: bool = False) -> dict[str, Any] | None:
        """The answer for the sha last seen, if seen within the TTL (or at all, if allow_stale)."""
        sha = self._latest(repo_id, allow_stale)
        return None if sha is None else self.get(repo_id, sha)

    def get(self, repo_id: str, sha: str) -> dict[str, Any] | None:
        answer = self._read(self._repo_dir(repo_id) / f"{_SAFE.sub('_', sha)}.json")
        return answer if answer and answer.get("format") == _FORMAT else None

    def put(self, repo_id: str, sha: str, answer: dict[str, Any]) -> None:
        """Store an answer and mark it the repo's latest. Failures to write are not fatal."""
        folder = self._repo_dir(repo_id)
        body = {k: v for k, v in answer.items() if not k.startswith("_")} | {"format": _FORMAT}
        with contextlib.suppress(OSError):  # a read-only cache costs requests next time, no more
            folder.mkdir(parents=True, exist_ok=True)
            self._write(folder / f"{_SAFE.sub('_', sha)}.json", body)
            self.touch(repo_id, sha)

    def touch(self, repo_id: str, sha: str) -> None:
        """Mark sha the repo's latest, seen now (the Hub confirmed it): its TTL starts again."""
        latest = self._repo_dir(repo_id) / "latest.json"
        with contextlib.suppress(OSError):
            self._write(latest, {"sha": sha, "fetched_at": time.time()})

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:  # a FIFO or /dev/zero planted as latest.json must not hang or fill memory
            data = safejson.loads(read_capped(path, MAX_ENTRY_BYTES))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _write(path: Path, data: dict[str, Any]) -> None:
        # One writer per process and thread owns this name; O_EXCL refuses a planted file or link.
        # (mkstemp + json.dump took twice as long: 119 vs 65 us a write, 100 candidates a run.)
        tmp = path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")
        body = json.dumps(data).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _timestamp(value: Any) -> float | None:
    """A fetched_at as we write it (seconds since the epoch), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and not 0 <= value < 2**53:
        return None  # float() of a 400-digit integer overflows
    value = float(value)
    return value if math.isfinite(value) and value >= 0 else None
