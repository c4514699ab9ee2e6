"""Parsed YAML of advisor's own data files (rules, patterns, lexicons), cached between runs.

Parsing ~50 packaged YAML files with the line-remembering loader is most of a cold run's own
work; the validation that follows is cheap. So only the parse is cached, never its result's
meaning: every run validates the data exactly as if it came from the YAML (the same code on the
same values), so a changed validator or fact registry is honoured without any cache key.

- Only callers that pass packaged files use this (`load_packaged`); a user's `--rules` folder
  and specs always go through `load_yaml`.
- One sealed file (marshal) per advisor and Python version under the user cache
  (`advisor.usercache`: a damaged or edited file is ignored and rewritten). Each entry is keyed
  by the file's path and holds its size and modification time (in ns), the check Python makes
  of its own .pyc files: a file that is unchanged is not even read, a changed one is parsed
  again.
- Error messages keep their line numbers: a cached document reads its file again for lines only
  if something asks where a value stood.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

from advisor.usercache import SealedStore
from advisor.yamlfile import LocatedYaml, load_yaml, read_text


class _CachedYaml(LocatedYaml):
    """Data from the cache; the line map is computed from the file only when asked for."""

    def __init__(self, data: Any, path: Path, what: str):
        self.data = data
        self.origin = str(path)
        self._path, self._what = path, what
        self._lines: dict[tuple, int] | None = None

    @property
    def lines(self) -> dict[tuple, int]:  # type: ignore[override]
        if self._lines is None:
            self._lines = load_yaml(read_text(self._path, what=self._what), self.origin).lines
        return self._lines


def _still_there(origin: str, entry: Any) -> bool:
    return not os.path.isabs(origin) or os.path.exists(origin)  # drops an old checkout's files


# marshal is ~10x faster to load than JSON (SealedStore stamps the Python version it needs).
_store = SealedStore("parsed-yaml", {"format": 3}, keep=_still_there)
cache_file, reset, flush = _store.path, _store.reset, _store.flush


def _stored_copy(data: Any) -> Any:
    """A copy of data as the cache gives it back (marshal keeps every plain value and its type,
    integer keys included), or None for anything it cannot store: such a document is simply
    parsed every time. (The loader keeps dates as text, so today every document is stored.)"""
    try:
        return marshal.loads(marshal.dumps(data))
    except ValueError:
        return None


def load_packaged(path: Path, *, what: str = "file") -> LocatedYaml:
    """load_yaml of one of advisor's own data files, the parse cached (see the module doc)."""
    origin = str(path)
    try:
        stat = os.stat(path)
        seen = [stat.st_size, stat.st_mtime_ns]
    except OSError:
        seen = None  # read_text says what is wrong
    entry = _store.get(origin)
    if seen and isinstance(entry, dict) and entry.get("stat") == seen and "data" in entry:
        return _CachedYaml(entry["data"], path, what)
    located = load_yaml(read_text(path, what=what), origin)  # errors exactly as uncached
    copy = _stored_copy(located.data)
    if copy is not None and seen:
        _store.add(origin, {"stat": seen, "data": copy})
    return located
