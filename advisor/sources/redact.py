"""The Hub token never leaves through a value: masked in messages *and* in every value a Hub
answer carries, before it is used, shown or cached (a server may echo the Authorization header
into a licence, a base_model or a config field)."""

from __future__ import annotations

import contextlib
import os
import re
import sys

MASK = "***"
# The shape of Hugging Face user/org access tokens: also masked when the token in use is not
# known (a cached answer read before huggingface_hub is imported, a token from another account).
TOKEN_SHAPE = re.compile(r"hf_[A-Za-z0-9]{30,}")
_SHORTEST = 8  # a shorter "token" would mask ordinary words; no real token is that short


def secrets() -> tuple[str, ...]:
    """The tokens this process may send: HF_TOKEN / HUGGING_FACE_HUB_TOKEN, or the one
    huggingface_hub found (only asked once it is imported: offline runs do not import it)."""
    found = {os.environ.get("HF_TOKEN"), os.environ.get("HUGGING_FACE_HUB_TOKEN")}
    client = sys.modules.get("huggingface_hub")
    if client is not None:
        # A broken token file is huggingface_hub's business, not ours.
        with contextlib.suppress(Exception):
            found.add(client.get_token())
    return tuple(t for t in found if isinstance(t, str) and len(t.strip()) >= _SHORTEST)


def redact(text: str, tokens: tuple[str, ...] | None = None) -> str:
    """text with every token masked (the given ones, or secrets(), and any hf_ token)."""
    for token in secrets() if tokens is None else tokens:
        text = text.replace(token, MASK)  # the same string back when the token is not in it
    if "hf_" in text:
        text = TOKEN_SHAPE.sub(MASK, text)
    return text
