"""Conditions as data: a closed set of operators over named facts, three-valued.

A leaf is `{fact, op, value}`; `value` may be `{fact: other.name}` to compare two facts. A fact
that is absent makes its leaf *unknown* (None), never False. `all` / `any` / `not` combine
results with Kleene logic, and every leaf is evaluated (no short-circuit) so the trace can show
each one with its expected and actual value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from advisor.engine.registry import FACTS, fact_type, is_list_fact
from advisor.errors import did_you_mean

NUMERIC_OPS = {"lt", "lte", "gt", "gte"}
OPERATORS = {
    "eq": "equals",
    "ne": "does not equal",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is greater than",
    "gte": "is at least",
    "in": "is one of",
    "not_in": "is none of",
    "contains": "(a list) contains",
    "contains_any": "(a list) contains any of",
    "exists": "is known (never unknown itself)",
    "absent": "is not known (never unknown itself)",
    "matches": "matches the regular expression (case-insensitive)",
}
_MISSING = object()


class ConditionError(ValueError):
    """A malformed condition; `path` says where in the rule (e.g. when.all[1].op)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Leaf:
    fact: str
    op: str
    value: Any = None
    value_fact: str | None = None  # compare with another fact instead of a literal
    pattern: re.Pattern | None = None


@dataclass(frozen=True)
class Node:
    kind: str  # all | any | not
    children: tuple


Condition = Leaf | Node


@dataclass
class ClauseResult:
    fact: str
    op: str
    expected: Any
    actual: Any
    passed: bool | None  # None = unknown (a fact was missing)

    def to_json(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "op": self.op,
            "expected": self.expected,
            "actual": self.actual,
            "passed": self.passed,
        }


def compile_condition(data: Any, path: str = "when") -> Condition:
    """Check a condition against the fact registry and operator set; raise ConditionError."""
    if not isinstance(data, dict):
        raise ConditionError(path, "a condition is a mapping: all / any / not, or fact + op")
    combinators = [key for key in ("all", "any", "not") if key in data]
    if combinators:
        if len(data) != 1:
            extra = sorted(set(data) - {combinators[0]})
            raise ConditionError(path, f"'{combinators[0]}' stands alone; unexpected {extra}")
        kind = combinators[0]
        body = data[kind]
        if kind == "not":
            return Node("not", (compile_condition(body, f"{path}.not"),))
        if not isinstance(body, list) or not body:
            raise ConditionError(f"{path}.{kind}", "expects a non-empty list of conditions")
        return Node(
            kind, tuple(compile_condition(c, f"{path}.{kind}[{i}]") for i, c in enumerate(body))
        )
    unknown_keys = sorted(set(data) - {"fact", "op", "value"})
    if unknown_keys:
        hint = did_you_mean(unknown_keys[0], ["fact", "op", "value", "all", "any", "not"])
        raise ConditionError(
            f"{path}.{unknown_keys[0]}", "unknown key" + (f" — {hint}" if hint else "")
        )
    for key in ("fact", "op"):
        if key not in data:
            raise ConditionError(path, f"missing '{key}'")
    return _compile_leaf(data, path)


def _check_fact_name(name: Any, path: str) -> str:
    if not isinstance(name, str) or name not in FACTS:
        hint = did_you_mean(str(name), FACTS)
        raise ConditionError(
            path,
            f"unknown fact '{name}'" + (f" — {hint}" if hint else " (see `advisor rules facts`)"),
        )
    return name


def _compile_leaf(data: dict, path: str) -> Leaf:
    fact = _check_fact_name(data["fact"], f"{path}.fact")
    op = data["op"]
    if op not in OPERATORS:
        hint = did_you_mean(str(op), OPERATORS)
        raise ConditionError(
            f"{path}.op",
            f"unknown operator '{op}'"
            + (f" — {hint}" if hint else f"; one of {sorted(OPERATORS)}"),
        )
    has_value = "value" in data
    if op in ("exists", "absent"):
        if has_value:
            raise ConditionError(f"{path}.value", f"'{op}' takes no value")
        return Leaf(fact, op)
    if not has_value:
        raise ConditionError(path, f"'{op}' needs a value")
    value = data["value"]
    if isinstance(value, dict):
        if set(value) != {"fact"}:
            raise ConditionError(f"{path}.value", "a reference is written {fact: name}")
        ref = _check_fact_name(value["fact"], f"{path}.value.fact")
        _check_reference(fact, op, ref, path)
        return Leaf(fact, op, value_fact=ref)
    _check_literal(fact, op, value, path)
    pattern = re.compile(value, re.IGNORECASE) if op == "matches" else None
    return Leaf(fact, op, value, pattern=pattern)


def _kind_of(fact: str) -> str:
    kind = fact_type(fact)
    if is_list_fact(fact):
        return "list"
    return "enum" if isinstance(kind, tuple) else kind


def _check_reference(fact: str, op: str, ref: str, path: str) -> None:
    left, right = _kind_of(fact), _kind_of(ref)
    if op in NUMERIC_OPS and not (left in ("int", "float") and right in ("int", "float")):
        raise ConditionError(f"{path}.op", f"'{op}' compares numbers; {fact} or {ref} is not one")
    if op in ("in", "not_in") and right != "list":
        raise ConditionError(f"{path}.value", f"'{op}' needs a list; {ref} is not a list")


def _check_literal(fact: str, op: str, value: Any, path: str) -> None:
    kind = _kind_of(fact)
    allowed = fact_type(fact) if isinstance(fact_type(fact), tuple) else None

    def check_member(item: Any, where: str) -> None:
        if allowed is not None and item not in allowed:
            hint = did_you_mean(str(item), allowed)
            raise ConditionError(
                where,
                f"'{item}' is not a value of {fact}" + (f" — {hint}" if hint else f"; {allowed}"),
            )

    if op in NUMERIC_OPS:
        if (
            kind not in ("int", "float")
            or isinstance(value, bool)
            or not isinstance(value, (int, float))
        ):
            raise ConditionError(f"{path}.value", f"'{op}' needs a numeric fact and a number")
    elif op in ("eq", "ne"):
        if kind == "list":
            raise ConditionError(f"{path}.op", f"{fact} is a list: use contains / contains_any")
        expected_types = {"bool": bool, "int": (int, float), "float": (int, float), "str": str}
        wanted = expected_types.get(kind, str)
        if not isinstance(value, wanted) or (kind != "bool" and isinstance(value, bool)):
            raise ConditionError(f"{path}.value", f"{fact} is {kind}; got {value!r}")
        check_member(value, f"{path}.value")
    elif op in ("in", "not_in", "contains_any"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{path}.value", f"'{op}' needs a non-empty list")
        if op == "contains_any" and kind != "list":
            raise ConditionError(f"{path}.op", f"{fact} is not a list: use in / eq")
        if op != "contains_any" and kind == "list":
            raise ConditionError(f"{path}.op", f"{fact} is a list: use contains / contains_any")
        for i, item in enumerate(value):
            check_member(item, f"{path}.value[{i}]")
    elif op == "contains":
        if kind != "list":
            raise ConditionError(f"{path}.op", f"{fact} is not a list: use eq / in")
        check_member(value, f"{path}.value")
    elif op == "matches":
        if kind not in ("str", "enum") or not isinstance(value, str):
            raise ConditionError(f"{path}.value", "'matches' needs a text fact and a pattern")
        try:
            re.compile(value)
        except re.error as exc:
            raise ConditionError(f"{path}.value", f"bad regular expression: {exc}") from None


def evaluate(condition: Condition, context: dict[str, Any], out: list[ClauseResult]) -> bool | None:
    """True / False / None (unknown); every leaf is appended to `out`, none skipped."""
    if isinstance(condition, Leaf):
        return _evaluate_leaf(condition, context, out)
    results = [evaluate(child, context, out) for child in condition.children]
    if condition.kind == "not":
        return None if results[0] is None else not results[0]
    if condition.kind == "all":
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def _evaluate_leaf(leaf: Leaf, context: dict[str, Any], out: list[ClauseResult]) -> bool | None:
    actual = context.get(leaf.fact, _MISSING)
    if leaf.value_fact is not None:
        expected = context.get(leaf.value_fact, _MISSING)
        shown_expected: Any = {"fact": leaf.value_fact, "value": _shown(expected)}
    else:
        expected = shown_expected = leaf.value
    passed = _apply(leaf, actual, expected)
    out.append(ClauseResult(leaf.fact, leaf.op, shown_expected, _shown(actual), passed))
    return passed


def _shown(value: Any) -> Any:
    return None if value is _MISSING else value


def _apply(leaf: Leaf, actual: Any, expected: Any) -> bool | None:
    op = leaf.op
    if op == "exists":
        return actual is not _MISSING and actual is not None
    if op == "absent":
        return actual is _MISSING or actual is None
    if actual is _MISSING or actual is None or expected is _MISSING or expected is None:
        return None
    try:
        if op == "eq":
            return actual == expected
        if op == "ne":
            return actual != expected
        if op == "lt":
            return actual < expected
        if op == "lte":
            return actual <= expected
        if op == "gt":
            return actual > expected
        if op == "gte":
            return actual >= expected
        if op == "in":
            return actual in expected
        if op == "not_in":
            return actual not in expected
        if op == "contains":
            return expected in actual
        if op == "contains_any":
            return any(item in actual for item in expected)
        if op == "matches":
            return bool(leaf.pattern.search(str(actual)))  # type: ignore[union-attr]
    except TypeError:
        # A fact of the wrong type from a source (e.g. a string where a number belongs) is
        # not evidence either way.
        return None
    raise AssertionError(f"operator {op} not handled")  # the loader admits only known ops
