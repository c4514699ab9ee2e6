"""What a Hub repo id looks like; a tiny module so the metadata path does not import pydantic."""

from __future__ import annotations

from advisor import regexcache

_REPO_ID = regexcache.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


def is_hub_repo_id(value: object) -> bool:
    """True for a well-formed 'org/name' (no path, URL, spaces, newline or '..')."""
    # fullmatch: a `$` anchor alone would let a trailing newline through.
    return isinstance(value, str) and bool(_REPO_ID.fullmatch(value)) and ".." not in value
