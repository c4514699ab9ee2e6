"""Load the reader's data files (advisor/knowledge/*.yaml) once, on first use.

Regular expressions are compiled when a stage first needs them, one combined alternation per
entry, so importing advisor never pays for them; their compiled programs are kept between runs
(advisor.regexcache).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from advisor import packaged, regexcache
from advisor.yamlcache import load_packaged


@cache
def knowledge(name: str) -> dict[str, Any]:
    """One data file of the reader, e.g. knowledge('negation') reads negation.yaml."""
    return load_packaged(packaged.folder("advisor.knowledge") / f"{name}.yaml").data or {}


def combine(patterns: list[str] | tuple[str, ...] | None) -> re.Pattern | None:
    """Several alternatives as one compiled regex (None when there are none)."""
    if not patterns:
        return None
    return regexcache.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
