"""Read a task written in free text: its kind, signals, domains and style, with the evidence.

The patterns are data (advisor/knowledge/task_patterns.yaml); this module only applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from advisor.yamlfile import load_yaml

MAX_TEXT = 10_000  # the spec caps a description at this length; regexes never see more


@dataclass(frozen=True)
class Pattern:
    id: str
    priority: int
    kind: str | None
    signals: tuple[str, ...]
    domains: tuple[str, ...]
    style: tuple[str, ...]
    regexes: tuple[re.Pattern, ...]


@dataclass
class Understanding:
    kind: str | None = None
    kind_source: str = "unknown"  # given | inferred | unknown
    signals: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    style: list[str] = field(default_factory=list)
    evidence: list[dict[str, str]] = field(default_factory=list)  # pattern id + matched text

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_source": self.kind_source,
            "signals": self.signals,
            "domains": self.domains,
            "style": self.style,
            "evidence": self.evidence,
        }


@lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    source = resources.files("advisor.knowledge").joinpath("task_patterns.yaml")
    data = load_yaml(source.read_text("utf-8"), "task_patterns.yaml").data
    return tuple(
        Pattern(
            id=entry["id"],
            priority=int(entry.get("priority", 0)),
            kind=entry.get("kind"),
            signals=tuple(entry.get("signals") or ()),
            domains=tuple(entry.get("domains") or ()),
            style=tuple(entry.get("style") or ()),
            regexes=tuple(re.compile(p, re.IGNORECASE) for p in entry["match"]),
        )
        for entry in data["patterns"]
    )


def understand(
    text: str,
    *,
    kind: str | None = None,
    domains: list[str] | None = None,
    style: list[str] | None = None,
) -> Understanding:
    """What the text says; explicit kind / domains / style (from a spec) win over the text."""
    text = text[:MAX_TEXT]
    result = Understanding()
    best: tuple[int, str] | None = None
    signals: set[str] = set()
    found_domains: set[str] = set()
    found_style: set[str] = set()
    for pattern in patterns():
        match = next((m for rx in pattern.regexes if (m := rx.search(text))), None)
        if match is None:
            continue
        result.evidence.append({"pattern": pattern.id, "matched": match.group(0)})
        signals.update(pattern.signals)
        found_domains.update(pattern.domains)
        found_style.update(pattern.style)
        if pattern.kind and (best is None or (pattern.priority, pattern.kind) > best):
            best = (pattern.priority, pattern.kind)
    if kind:
        result.kind, result.kind_source = kind, "given"
    elif best:
        result.kind, result.kind_source = best[1], "inferred"
    result.signals = sorted(signals)
    result.domains = sorted(domains) if domains is not None else sorted(found_domains)
    result.style = sorted(style) if style is not None else sorted(found_style)
    return result
