"""What a Hub repo id looks like; a tiny module so the metadata path does not import pydantic."""

from __future__ import annotations

from advisor import regexcache

_REPO_ID = regexcache.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


def is_hub_repo_id(value: object) -> bool:
    """True for a well-formed 'org/name' (no path, URL, spaces, newline or '..')."""
    # fullmatch: a `$` anchor alone would let a trailing newline through.
    return isinstance(value, str) and bool(_REPO_ID.fullmatch(value)) and ".." not in value


# A model page's address as copied from the browser: https://huggingface.co/org/name[/tree/...]
_PAGE_URL = regexcache.compile(
    r"https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/)([^/?#\s]+/[^/?#\s]+)"
    r"(?:/(?:tree|blob|resolve)/[^?#\s]*)?/?"
)


def repo_of_page_url(value: str) -> str | None:
    """'https://huggingface.co/Qwen/Qwen2.5-7B/tree/main' -> 'Qwen/Qwen2.5-7B' (None: not one)."""
    page = _PAGE_URL.fullmatch(value.strip())
    return page[1] if page and is_hub_repo_id(page[1]) else None
