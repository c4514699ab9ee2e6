"""The reader's regular expressions, compiled programs kept between runs.

CPython compiles a regular expression in pure Python (a parser, then a code generator), and the
~200 patterns of advisor/knowledge cost more than all the rest of a cold run's own work. Its C
engine builds a pattern straight from the compiled program (`_sre.compile`), so the program is
stored in a sealed file (`advisor.usercache`) per advisor version, Python version and engine
MAGIC, and handed back on the next run (~1 ms for all of them instead of ~40 ms).

A program is stored under its pattern text and flags, in a file sealed with its checksum and
stamped with the Python version and engine MAGIC; `_sre` validates every program it is given,
and any surprise (another Python, a changed engine API, a damaged file) falls back to
`re.compile` on the pattern itself.
"""

from __future__ import annotations

import re
from array import array
from typing import Any

from advisor.usercache import SealedStore

try:  # the engine's own compiler (3.11+: re._compiler; 3.10: sre_compile)
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10 or another implementation
    try:
        import _sre
        import sre_compile as _compiler  # type: ignore[no-redef]
        import sre_parse as _parser  # type: ignore[no-redef]
    except ImportError:
        _sre = None  # type: ignore[assignment]

# The array type of the engine's code word (SRE_CODE, _sre.CODESIZE bytes), as re._compiler
# finds it for its own charset bitmaps.
_WORD = next((t for t in "IL" if _sre and array(t).itemsize == _sre.CODESIZE), "I")
_store = SealedStore("regex", {"format": 2, "sre": getattr(_sre, "MAGIC", None)})
cache_file, reset, flush = _store.path, _store.reset, _store.flush


def _program(pattern: str, flags: int) -> list[Any]:
    """What re.compile hands the engine, as plain values marshal can store. The code is kept
    as the bytes of its 32-bit words (the engine's SRE_CODE): marshal reads one bytes object
    instead of ~1,000 integers per pattern, a third of what loading the store cost."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return [
        int(flags | parsed.state.flags),
        array(_WORD, code).tobytes(),
        parsed.state.groups - 1,
        groupindex,
        indexgroup,
    ]


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 - mirrors re.compile
    """re.compile(pattern, flags), from the stored program when there is one."""
    if _sre is None:
        return re.compile(pattern, flags)
    key = f"{int(flags)}:{pattern}"
    try:
        stored = _store.get(key)
        program = stored if stored is not None else _program(pattern, flags)
        final_flags, code, groups, groupindex, indexgroup = program
        words = array(_WORD)
        words.frombytes(code)
        compiled = _sre.compile(
            pattern, final_flags, words.tolist(), groups, groupindex, tuple(indexgroup)
        )
    except Exception:  # noqa: BLE001 - any surprise: the ordinary compiler, which raises re.error
        return re.compile(pattern, flags)
    if stored is None:
        _store.add(key, program)
    return compiled
