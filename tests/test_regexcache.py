"""The reader's compiled regular expressions kept between runs: a stored program gives exactly
the pattern re.compile gives, and a damaged, foreign or invalid store is never what a run uses."""

from __future__ import annotations

import marshal
import re

import pytest

from advisor import regexcache
from advisor.usercache import write_sealed

PATTERN = r"\b(?:fine[- ]?tun\w*|lora)\b(?P<size>\s*\d+b)?"
TEXT = "We fine-tune with LoRA 7b, then fine tuning again; Lora."


pytestmark = pytest.mark.usefixtures("user_cache")  # conftest: a cache folder of their own


def matches(pattern: re.Pattern) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(TEXT)]


def stored() -> dict:
    return regexcache._store.entries()


def test_a_second_run_uses_the_stored_program_and_matches_the_same() -> None:
    first = regexcache.compile(PATTERN, re.IGNORECASE)
    regexcache.flush()
    assert f"{int(re.IGNORECASE)}:{PATTERN}" in stored()
    regexcache.reset()  # a new run
    again = regexcache.compile(PATTERN, re.IGNORECASE)
    expected = re.compile(PATTERN, re.IGNORECASE)
    assert matches(again) == matches(first) == matches(expected)
    assert matches(expected)  # the text does match: the comparison means something
    assert (again.pattern, again.flags, again.groupindex) == (
        expected.pattern,
        expected.flags,
        expected.groupindex,
    )


@pytest.mark.parametrize("damage", [b"", b"{}\n", b"\x00\xff garbage", b'{"format": 1}\n{}'])
def test_a_damaged_store_is_ignored_and_rewritten(damage: bytes) -> None:
    path = regexcache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    assert matches(regexcache.compile(PATTERN)) == matches(re.compile(PATTERN))
    regexcache.flush()
    assert f"0:{PATTERN}" in stored()


def test_an_invalid_program_falls_back_to_the_ordinary_compiler() -> None:
    """A sealed store with a program the engine refuses (or for another pattern's flags) costs
    a compile, never a wrong or failing match."""
    key = f"0:{PATTERN}"
    write_sealed(
        regexcache.cache_file(),
        regexcache._store.stamp,
        marshal.dumps({key: [0, [1, 2, 3, 9999], 1, {"size": 1}, [None, "size"]]}),
    )
    regexcache.reset()
    assert matches(regexcache.compile(PATTERN)) == matches(re.compile(PATTERN))


def test_a_store_from_another_python_is_not_read() -> None:
    regexcache.compile(PATTERN)
    regexcache.flush()
    path = regexcache.cache_file()
    header, body = path.read_bytes().split(b"\n", 1)
    path.write_bytes(header.replace(b'"python": "', b'"python": "2.7 ') + b"\n" + body)
    assert stored() == {}


def test_a_bad_pattern_still_raises_re_error() -> None:
    with pytest.raises(re.error):
        regexcache.compile(r"(unclosed")
