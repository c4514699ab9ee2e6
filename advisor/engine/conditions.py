"""Conditions as data: a closed set of operators over named facts, three-valued.

A leaf is `{fact, op, value}`; `value` may be `{fact: other.name}` to compare two facts. A fact
that is absent makes its leaf *unknown* (None), never False. `all` / `any` / `not` combine
results with Kleene logic, and every leaf is evaluated (no short-circuit) so the trace can show
each one with its expected and actual value.
"""

import operator
from collections.abc import Callable
from typing import Any, NamedTuple

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
    "matches": "matches the regular expression (RE2 syntax, case-insensitive)",
}
# What `matches` accepts, for messages and `advisor rules show`.
PATTERN_SYNTAX = (
    "RE2 syntax: Python-style classes, groups, alternation and repetition; "
    "no backreferences or lookaround; matched in time linear in the text"
)
MAX_PATTERN_CHARS = 1000
# all / any / not nest a few levels in real rules; the YAML reader stops at 100 levels anyway.
MAX_CONDITION_DEPTH = 32


class ConditionError(ValueError):
    """A malformed condition; `path` says where in the rule (e.g. when.all[1].op)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}")


class Leaf(NamedTuple):
    """One comparison of a fact with a literal (or with another fact)."""

    fact: str
    op: str
    value: Any = None
    value_fact: str | None = None  # compare with another fact instead of a literal
    # The operator as a function (actual, expected) -> bool, chosen once at load time.
    test: Callable[[Any, Any], bool] = operator.eq


class Node(NamedTuple):
    """all / any / not over child conditions."""

    kind: str  # all | any | not
    children: tuple


Condition = Leaf | Node


class ClauseResult(NamedTuple):
    """How one comparison came out, with the values it compared (the trace)."""

    fact: str
    op: str
    expected: Any
    actual: Any
    passed: bool | None  # None = unknown (a fact was missing)

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


def compile_condition(data: Any, path: str = "when", depth: int = 1) -> Condition:
    """Check a condition against the fact registry and operator set; raise ConditionError."""
    if depth > MAX_CONDITION_DEPTH:
        # Checked here, not only by the YAML reader: conditions may come from elsewhere, and
        # compiling and evaluating recurse once per level.
        raise ConditionError(
            path if len(path) <= 60 else path[:60] + "...",
            f"conditions nested more than {MAX_CONDITION_DEPTH} levels deep; "
            "flatten it (not: {not: X} is X, all inside all is one all)",
        )
    if not isinstance(data, dict):
        raise ConditionError(path, "a condition is a mapping: all / any / not, or fact + op")
    combinators = [key for key in ("all", "any", "not") if key in data]
    if combinators:
        kind = combinators[0]
        if len(data) != 1:
            extra = sorted(set(data) - {kind})
            raise ConditionError(path, f"'{kind}' stands alone; unexpected {extra}")
        body = data[kind]
        if kind == "not":
            return Node("not", (compile_condition(body, f"{path}.not", depth + 1),))
        if not isinstance(body, list) or not body:
            raise ConditionError(f"{path}.{kind}", "expects a non-empty list of conditions")
        children = [
            compile_condition(c, f"{path}.{kind}[{i}]", depth + 1) for i, c in enumerate(body)
        ]
        return Node(kind, tuple(children))
    unknown_keys = sorted(set(data) - {"fact", "op", "value"})
    if unknown_keys:
        keys = ["fact", "op", "value", "all", "any", "not"]
        raise ConditionError(
            f"{path}.{unknown_keys[0]}", hinted("unknown key", unknown_keys[0], keys)
        )
    for key in ("fact", "op"):
        if key not in data:
            raise ConditionError(path, f"missing '{key}'")
    return _compile_leaf(data, path)


def hinted(message: str, word: Any, choices: Any, otherwise: str = "") -> str:
    """The message with a did-you-mean for a misspelt word, else with `otherwise`."""
    hint = did_you_mean(str(word), choices)
    return message + (f" — {hint}" if hint else otherwise)


def _check_fact_name(name: Any, path: str) -> str:
    if not isinstance(name, str) or name not in FACTS:
        message = hinted(f"unknown fact '{name}'", name, FACTS, " (see `advisor rules facts`)")
        raise ConditionError(path, message)
    return name


def _compile_leaf(data: dict, path: str) -> Leaf:
    fact = _check_fact_name(data["fact"], f"{path}.fact")
    op = data["op"]
    if not isinstance(op, str) or op not in OPERATORS:  # a list would be unhashable
        message = hinted(f"unknown operator '{op}'", op, OPERATORS, f"; one of {sorted(OPERATORS)}")
        raise ConditionError(f"{path}.op", message)
    has_value = "value" in data
    if op in ("exists", "absent"):
        if has_value:
            raise ConditionError(f"{path}.value", f"'{op}' takes no value")
        return Leaf(fact, op)  # no test: presence is checked by the evaluator itself
    if not has_value:
        raise ConditionError(path, f"'{op}' needs a value")
    value = data["value"]
    if isinstance(value, dict):
        if set(value) != {"fact"}:
            raise ConditionError(f"{path}.value", "a reference is written {fact: name}")
        ref = _check_fact_name(value["fact"], f"{path}.value.fact")
        _check_reference(fact, op, ref, path)
        return Leaf(fact, op, value_fact=ref, test=_TESTS[op])
    _check_literal(fact, op, value, path)
    if op == "matches":
        pattern = compile_pattern(value, f"{path}.value")
        return Leaf(fact, op, value, test=lambda a, _e: bool(pattern.search(str(a))))
    return Leaf(fact, op, value, test=_TESTS[op])


def _kind_of(fact: str) -> str:
    kind = fact_type(fact)
    if is_list_fact(fact):
        return "list"
    return "enum" if isinstance(kind, tuple) else kind


def _check_reference(fact: str, op: str, ref: str, path: str) -> None:
    if op == "matches":  # it would compare for equality: a pattern is checked when it loads
        raise ConditionError(f"{path}.value", "'matches' takes a pattern, not another fact")
    left, right = _kind_of(fact), _kind_of(ref)
    if op in NUMERIC_OPS and not (left in ("int", "float") and right in ("int", "float")):
        raise ConditionError(f"{path}.op", f"'{op}' compares numbers; {fact} or {ref} is not one")
    if op in ("in", "not_in") and right != "list":
        raise ConditionError(f"{path}.value", f"'{op}' needs a list; {ref} is not a list")


def _check_literal(fact: str, op: str, value: Any, path: str) -> None:
    kind = _kind_of(fact)
    allowed = fact_type(fact) if isinstance(fact_type(fact), tuple) else None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)

    def check_member(item: Any, where: str) -> None:
        if allowed is not None and item not in allowed:
            message = hinted(f"'{item}' is not a value of {fact}", item, allowed, f"; {allowed}")
            raise ConditionError(where, message)

    if op in NUMERIC_OPS and (kind not in ("int", "float") or not number):
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
    elif op == "matches" and (kind not in ("str", "enum") or not isinstance(value, str)):
        raise ConditionError(f"{path}.value", "'matches' needs a text fact and a pattern")


def compile_pattern(pattern: str, path: str) -> Any:
    """A `matches` pattern compiled with RE2: matching time is linear in the text whatever the
    pattern, so a user rule like ^(\\w+\\s?)+$ cannot hang a run on a hostile licence string
    (Python's backtracking `re` takes exponential time there). RE2 refuses what needs
    backtracking (backreferences, lookaround) with its own message."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ConditionError(path, f"pattern longer than {MAX_PATTERN_CHARS} characters")
    import re2  # only rules with a `matches` condition pay for it

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # RE2 would print its own lines on stderr
    options.max_mem = 8 << 20  # compiled-program bound; over it RE2 refuses, never slows
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ConditionError(path, f"bad regular expression: {reason} ({PATTERN_SYNTAX})") from None


# The hot path records each evaluated leaf as plain values appended to one flat list per
# rule, in leaf order: actual, passed -- or actual, expected, passed for a leaf that compares
# two facts. No object per leaf (10,000 candidates x every rule makes ~300,000 of them, and
# each would be one more for the garbage collector to scan); ClauseResult objects are built
# from the records only when a report or a test reads the trace (clause_results).
Evaluator = Callable[[dict[str, Any], list[Any]], "bool | None"]


def leaves_in_order(condition: Condition) -> tuple[Leaf, ...]:
    """Every leaf, in the order the evaluator runs (and records) them."""
    if isinstance(condition, Leaf):
        return (condition,)
    return tuple(leaf for child in condition.children for leaf in leaves_in_order(child))


def clause_results(
    leaves: tuple[Leaf, ...], records: list[Any], start: int = 0
) -> list[ClauseResult]:
    """The trace as ClauseResult objects, in evaluation order, from an evaluator's flat records
    (from `start`: actual, passed per leaf; actual, expected, passed for one comparing facts)."""
    out, at = [], start
    for leaf in leaves:
        if leaf.value_fact is None:
            out.append(ClauseResult(leaf.fact, leaf.op, leaf.value, records[at], records[at + 1]))
            at += 2
        else:
            expected = {"fact": leaf.value_fact, "value": records[at + 1]}
            out.append(ClauseResult(leaf.fact, leaf.op, expected, records[at], records[at + 2]))
            at += 3
    return out


def compile_evaluator(condition: Condition) -> Evaluator:
    """The condition as nested closures, built once at load time (rules run once per
    candidate, so this is the hot path). Kleene logic; every leaf runs and is recorded."""
    if isinstance(condition, Leaf):
        return _leaf_evaluator(condition)
    children = tuple(compile_evaluator(child) for child in condition.children)
    if condition.kind == "not":
        (only,) = children

        def run_not(ctx: dict[str, Any], out: list[Any]) -> bool | None:
            result = only(ctx, out)
            return None if result is None else not result

        return run_not
    if all(_is_literal_leaf(child) for child in condition.children):
        return _literal_group_evaluator(condition)
    # Every child runs (no short-circuit) so the trace shows each leaf; the loop keeps the
    # Kleene result without building a list of results per evaluation.
    decisive = condition.kind == "any"  # all: one False decides; any: one True decides
    undecided = not decisive

    def run_group(ctx: dict[str, Any], out: list[Any]) -> bool | None:
        result: bool | None = undecided
        for child in children:
            value = child(ctx, out)
            if value is decisive:
                result = decisive
            elif value is None and result is undecided:
                result = None
        return result

    return run_group


def _is_literal_leaf(condition: Condition) -> bool:
    return (
        isinstance(condition, Leaf)
        and condition.value_fact is None
        and condition.op not in ("exists", "absent")
    )


def _literal_group_evaluator(node: Node) -> Evaluator:
    """all / any over leaves that compare a fact with a literal (most rules; a lone literal
    leaf is a group of one): the leaves run in one loop instead of one call each, with the
    records and the Kleene result run_group would give."""
    steps = tuple((leaf.fact, leaf.test, leaf.value) for leaf in node.children)
    decisive = node.kind == "any"  # all: one False decides; any: one True decides
    undecided = not decisive

    def run_group(ctx: dict[str, Any], out: list[Any]) -> bool | None:
        result: bool | None = undecided
        for fact, test, value in steps:
            actual = ctx.get(fact)
            if actual is None or value is None:
                passed = None  # a missing fact is unknown, never false
            else:
                try:
                    passed = test(actual, value)
                except TypeError:
                    passed = None  # a wrongly typed fact from a source is not evidence
            out.append(actual)
            out.append(passed)
            if passed is decisive:
                result = decisive
            elif passed is None and result is undecided:
                result = None
        return result

    return run_group


def evaluate(condition: Condition, context: dict[str, Any], out: list[ClauseResult]) -> bool | None:
    """True / False / None (unknown) for one context; every leaf is appended to `out`."""
    records: list[Any] = []
    result = compile_evaluator(condition)(context, records)
    out.extend(clause_results(leaves_in_order(condition), records))
    return result


def _leaf_evaluator(leaf: Leaf) -> Evaluator:
    fact, op, test, ref = leaf.fact, leaf.op, leaf.test, leaf.value_fact
    if op in ("exists", "absent"):
        want = op == "exists"

        def run_presence(ctx: dict[str, Any], out: list[Any]) -> bool | None:
            actual = ctx.get(fact)
            passed = (actual is not None) is want
            out.append(actual)
            out.append(passed)
            return passed

        return run_presence

    if ref is not None:

        def run_reference(ctx: dict[str, Any], out: list[Any]) -> bool | None:
            actual = ctx.get(fact)
            expected = ctx.get(ref)
            if actual is None or expected is None:
                passed = None  # a missing fact is unknown, never false
            else:
                try:
                    passed = test(actual, expected)
                except TypeError:
                    passed = None  # a wrongly typed fact from a source is not evidence
            out.append(actual)
            out.append(expected)
            out.append(passed)
            return passed

        return run_reference

    return _literal_group_evaluator(Node("all", (leaf,)))


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "in": lambda actual, expected: actual in expected,
    "not_in": lambda actual, expected: actual not in expected,
    "contains": operator.contains,
    "contains_any": lambda actual, expected: any(item in actual for item in expected),
}  # `matches` has no entry: a pattern's test is its compiled search, and it compares no facts
