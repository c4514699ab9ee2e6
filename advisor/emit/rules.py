"""The config rules (advisor/knowledge/config_rules.yaml) and the small evaluator that runs them.

A decision is an ordered list of rules; the first whose `when` holds sets the value. The
evaluator knows five tests (equal, one of, known, not, ne) and nothing about training.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

UNKNOWN = "unknown"
_REF = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")


@dataclass(frozen=True)
class Choice:
    """One decided setting: its value, the rule that chose it and why (shown in the config)."""

    value: Any
    rule: str
    reason: str

    @property
    def known(self) -> bool:
        return self.value != UNKNOWN

    def comment(self) -> str:
        return f"{self.rule}: {self.reason}"


@cache  # each file parsed once: config_rules.yaml serves two of the accessors below
def _load(name: str) -> dict[str, Any]:
    text = resources.files("advisor.knowledge").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def config_rules() -> dict[str, list[dict[str, Any]]]:
    return _load("config_rules.yaml")["decisions"]


def deepspeed_files() -> dict[str, dict[str, str]]:
    """framework -> {zero2|zero3: the ZeRO config file its repository ships}."""
    return _load("config_rules.yaml")["deepspeed_files"]


def chat_formats() -> dict[str, Any]:
    return _load("chat_formats.yaml")


def template_hashes() -> dict[str, Any]:
    return _load("chat_template_hashes.yaml")["templates"]


def _holds(test: Any, value: Any, facts: dict[str, Any]) -> bool:
    if isinstance(test, dict):
        checks = {
            "known": lambda want: (value is not None) == want,
            "not": lambda other: value != other,  # unknown is "not x" too
            "ne": lambda name: (
                value is not None
                and facts.get(name) not in (None, UNKNOWN)
                and value != facts.get(name)
            ),
        }
        return all(checks[op](arg) for op, arg in test.items())
    # an unknown fact matches no value or list of values
    return value is not None and (value in test if isinstance(test, list) else value == test)


def _fill(template: Any, facts: dict[str, Any]) -> Any:
    if not isinstance(template, str):
        return template
    whole = _REF.fullmatch(template)
    if whole:  # "{fact}" alone keeps the fact's type (an int stays an int)
        return facts.get(whole.group(1))
    return _REF.sub(lambda m: str(facts.get(m.group(1), UNKNOWN)), template)


def decide(name: str, facts: dict[str, Any]) -> Choice:
    """Run one decision on the facts; records decision.<name> in them for later decisions."""
    for rule in config_rules()[name]:
        when = rule.get("when") or {}
        if all(_holds(test, facts.get(fact), facts) for fact, test in when.items()):
            value = _fill(rule["value"], facts)
            choice = Choice(value, rule["id"], _fill(rule["reason"], facts))
            facts[f"decision.{name}"] = value
            return choice
    raise KeyError(f"decision {name} has no rule for these facts")  # the last rule is when: {}
