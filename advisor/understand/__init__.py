"""Read a task written in free text, in stages that are all data (advisor/knowledge/*.yaml):

  normalise (normalise.yaml)   case, accents, hyphens, arrows, connectives, typos
  negation (negation.yaml)     which phrases a "not" / "kein" / "sans" / "sin" governs
  lexicon (lexicon.yaml)       acronyms and synonyms, each in one sense its context confirms
  patterns (task_patterns.yaml) kind, signals, domains, style (senses, completion objects)
  own alignment (own_alignment.yaml) post-training built from parts
  quantities (quantities.yaml) examples, tokens, bytes, files, GPU memory and count (over
                               several machines; not where the model is deployed), parameter
                               limits, context and sequence lengths
  constraints (constraints.yaml) method, commercial use, licences (accepted; an excluded or
                               vague one is said, not guessed), languages, model names

Every inferred fact carries the user's words it came from. This package only applies the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 10_000  # the spec caps a description at this length; regexes never see more


@dataclass(eq=False)
class Understanding:
    """What was read from the task's words, each value with the words it came from."""

    kind: str | None = None
    kind_source: str = "unknown"  # given | inferred | unknown
    kind_from: str | None = None  # the words the inferred kind was read from
    signals: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    style: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # what matched, in which words
    against: list[dict[str, Any]] = field(default_factory=list)  # negated mentions
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # spec field -> value, words
    quantities: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # what was read but not used, and why

    @property
    def understood(self) -> bool:
        """Did the text say anything the rules use (beyond the kind given in a spec)?"""
        inferred_kind = bool(self.kind) and self.kind_source == "inferred"
        return inferred_kind or any((self.signals, self.domains, self.style, self.facts))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_source": self.kind_source,
            "kind_from": self.kind_from if self.kind_source == "inferred" else None,
            "signals": self.signals,
            "domains": self.domains,
            "style": self.style,
            "understood": self.understood,
            "evidence": self.evidence,
            "against": self.against,
            "facts": self.facts,
            "quantities": self.quantities,
            "ignored": self.ignored,
        }


def understand(
    text: str,
    *,
    kind: str | None = None,
    domains: list[str] | None = None,
    style: list[str] | None = None,
) -> Understanding:
    """What the text says; explicit kind / domains / style (from a spec) win over the text."""
    from advisor.understand.reader import read

    result = read(text[:MAX_TEXT])
    if kind:
        result.kind, result.kind_source = kind, "given"
    elif result.kind:
        result.kind_source = "inferred"
    if domains is not None:
        result.domains = sorted(domains)
    if style is not None:
        result.style = sorted(style)
    return result


__all__ = ["MAX_TEXT", "Understanding", "understand"]
