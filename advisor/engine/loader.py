"""Load rule files (one YAML file per rule, id == file stem) and validate them at load time.

Every problem is reported as one line naming the file, the rule and the path inside it, with a
"did you mean" where a name is close to a known one.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from advisor import packaged, regexcache
from advisor.engine.conditions import (
    Condition,
    ConditionError,
    Evaluator,
    Leaf,
    compile_condition,
    compile_evaluator,
    hinted,
    leaves_in_order,
)
from advisor.engine.registry import FACTS
from advisor.errors import UserError
from advisor.yamlcache import load_packaged
from advisor.yamlfile import load_yaml, read_text

# kind -> the effect it carries; stages run in this order (earlier stages feed decision.* facts).
KIND_EFFECT = {
    "alignment-tax": "tax",
    "exception": "vote",
    "default": "vote",
    "heuristic": "vote",
    "fit": "status",
    "pitfall": "status",
}
CANDIDATE_KINDS = ("fit", "pitfall")
# Every rule is evaluated for every candidate and its result kept in the report: 10,000 user
# rules made a 140 MB JSON report and 600 MB of memory. The shipped rules are a few dozen.
MAX_USER_RULES = 500
STATUSES = ("pass", "warn", "fail")
TAX_LEVELS = ("medium", "high")
EXPECTATIONS = ("fires", "silent", "unknown")
RULE_KEYS = {
    "id", "name", "aliases", "summary", "kind", "effect", "when", "message", "explain", "tests",
}  # fmt: skip
EXPLAIN_KEYS = {"what", "why", "caveats", "references"}
PLACEHOLDER = regexcache.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")
_ID = regexcache.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RuleCase(NamedTuple):
    """One of a rule's own test cases: the facts given and the outcome expected."""

    name: str
    given: dict[str, Any]
    expect: str


@dataclass(eq=False)
class Rule:
    """One validated rule file: its condition, its effect and its cases."""

    id: str
    name: str
    summary: str
    kind: str
    effect: dict[str, Any]
    when: Condition
    message: str
    explain: dict[str, Any]
    tests: list[RuleCase]
    path: str
    aliases: list[str] = field(default_factory=list)
    # Both follow from `when`, compiled once at load time.
    evaluator: Evaluator = field(init=False, repr=False, compare=False)
    leaves: tuple[Leaf, ...] = field(init=False, repr=False, compare=False)  # evaluation order

    def __post_init__(self) -> None:
        self.evaluator = compile_evaluator(self.when)
        self.leaves = leaves_in_order(self.when)

    @property
    def per_candidate(self) -> bool:
        return self.kind in CANDIDATE_KINDS

    def effect_text(self) -> str:
        if "vote" in self.effect:
            return f"vote {self.effect['vote']} +{self.effect['weight']:g}"
        if "tax" in self.effect:
            return f"alignment tax {self.effect['tax']}"
        return f"check {self.effect['status']}"


def builtin_rules_dir() -> Path:
    """The rules shipped with advisor: package data when installed, ../rules in a source tree."""
    try:
        return packaged.folder("advisor.rules")
    except ModuleNotFoundError:
        # Running from a checkout without an install: the package_dir mapping is not active.
        return Path(__file__).resolve().parents[2] / "rules"


def load_rules(extra_dirs: list[str | Path] | None = None) -> list[Rule]:
    """The built-in rules plus any user rule folders; ids must be unique across all of them."""
    dirs = [builtin_rules_dir(), *(Path(d) for d in extra_dirs or [])]
    rules: dict[str, Rule] = {}
    aliases: dict[str, str] = {}
    user_files = 0
    for index, folder in enumerate(dirs):
        if not folder.is_dir():
            raise UserError(f"{folder}: not a rule folder", hint="give a directory of *.yaml rules")
        paths = sorted(folder.glob("*.yaml"))
        user_files += len(paths) if index else 0
        if user_files > MAX_USER_RULES:  # counted before any is read
            raise UserError(
                f"{folder}: more than {MAX_USER_RULES} rule files in the --rules folders",
                hint=f"keep the rules you need (at most {MAX_USER_RULES}) in the folders you pass",
            )
        for path in paths:
            # Only the shipped rules may reuse a cached parse; --rules folders are read fresh.
            try:
                rule = load_rule_file(path, packaged=index == 0)
            except UserError:
                if index != 0:
                    raise
                # A cached parse that fails validation is not trusted: read the file itself,
                # which either loads or reports the problem with its line.
                rule = load_rule_file(path)
            if rule.id in rules or rule.id in aliases:
                other = rules[rule.id].path if rule.id in rules else aliases[rule.id]
                raise UserError(
                    f"{path}: rule id '{rule.id}' is already defined in {other}",
                    hint="rule ids are unique and never reused: pick a new id",
                )
            rules[rule.id] = rule
            for alias in rule.aliases:
                aliases[alias] = str(path)
    return list(rules.values())


def load_rule_file(path: Path, *, packaged: bool = False) -> Rule:
    if packaged:
        located = load_packaged(path, what="rule file")
    else:
        located = load_yaml(read_text(path, what="rule file"), str(path))
    data = located.data
    stem = path.stem

    def fail(where: tuple, message: str) -> UserError:
        return UserError(f"{located.where(where)}: {message} (rule '{stem}')")

    if not isinstance(data, dict):
        raise fail((), "a rule file is a mapping (id, kind, when, ...)")
    for key in data:
        if key not in RULE_KEYS:
            raise fail((key,), hinted("unknown key", key, RULE_KEYS))
    for key in ("id", "summary", "kind", "effect", "when", "message", "explain", "tests"):
        if key not in data:
            raise fail((), f"missing '{key}'")
    rule_id = data["id"]
    if rule_id != stem:
        raise fail(("id",), f"id '{rule_id}' must equal the file name '{stem}'")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise fail(("id",), "an id is a kebab-case slug, e.g. own-alignment")
    kind = data["kind"]
    # isinstance first: a list or mapping here is unhashable and would raise on the lookup.
    if not isinstance(kind, str) or kind not in KIND_EFFECT:
        raise fail(("kind",), hinted(f"unknown kind '{kind}'", kind, KIND_EFFECT))
    effect = _check_effect(data["effect"], kind, lambda w, m: fail(("effect", *w), m))
    try:
        when = compile_condition(data["when"])
    except ConditionError as exc:
        tokens = re.findall(r"[^.\[\]]+|\[\d+\]", exc.path)  # when.all[1].op -> when, all, 1, op
        raise fail(tuple(int(t[1:-1]) if t[0] == "[" else t for t in tokens), exc.reason) from None
    message = data["message"]
    if not isinstance(message, str) or not message.strip():
        raise fail(("message",), "a rule needs a message")
    for name in PLACEHOLDER.findall(message):
        if name not in FACTS:
            raise fail(("message",), hinted(f"unknown fact '{{{name}}}'", name, FACTS))
    explain = data["explain"]
    if not isinstance(explain, dict):
        raise fail(("explain",), "explain is a mapping: what, why, caveats, references")
    for key in explain:
        if key not in EXPLAIN_KEYS:
            raise fail(("explain", key), f"unknown key; allowed: {sorted(EXPLAIN_KEYS)}")
    for key in ("what", "why"):
        if not isinstance(explain.get(key), str) or not explain[key].strip():
            raise fail(("explain", key), f"explain.{key} must say something")
    references = explain.get("references") or []
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise fail(("explain", "references"), "references is a list of strings")
    tests = _check_tests(data["tests"], lambda w, m: fail(("tests", *w), m))
    aliases = data.get("aliases") or []
    if not isinstance(aliases, list):
        raise fail(("aliases",), "aliases is a list of former ids")
    return Rule(
        id=rule_id,
        name=str(data.get("name") or rule_id),
        summary=str(data["summary"]),
        kind=kind,
        effect=effect,
        when=when,
        message=message.strip(),
        explain={
            "what": explain["what"].strip(),
            "why": explain["why"].strip(),
            "caveats": (explain.get("caveats") or "").strip(),
            "references": references,
        },
        tests=tests,
        path=str(path),
        aliases=[str(a) for a in aliases],
    )


def _check_effect(effect: Any, kind: str, fail) -> dict[str, Any]:
    wanted = KIND_EFFECT[kind]
    if not isinstance(effect, dict):
        raise fail((), "effect is a mapping")
    if wanted == "vote":
        if set(effect) != {"vote", "weight"}:
            raise fail((), f"a {kind} rule's effect is {{vote: base|instruct, weight: N}}")
        if effect["vote"] not in ("base", "instruct"):
            raise fail(("vote",), "vote is base or instruct")
        weight = effect["weight"]
        number = isinstance(weight, (int, float)) and not isinstance(weight, bool)
        if not number or not 0 <= weight <= 10:
            raise fail(("weight",), "weight is a number from 0 to 10")
        return {"vote": effect["vote"], "weight": float(weight)}
    if wanted == "tax":
        if set(effect) != {"tax"} or effect["tax"] not in TAX_LEVELS:
            raise fail((), f"an alignment-tax rule's effect is {{tax: {'|'.join(TAX_LEVELS)}}}")
        return dict(effect)
    if set(effect) != {"status"} or effect["status"] not in STATUSES:
        raise fail((), f"a {kind} rule's effect is {{status: {'|'.join(STATUSES)}}}")
    return dict(effect)


def flatten_given(given: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{task: {kind: x}} or {"task.kind": x} -> {"task.kind": x}."""
    out: dict[str, Any] = {}
    for key, value in given.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and name not in FACTS:
            out.update(flatten_given(value, name))
        else:
            out[name] = value
    return out


def _check_tests(tests: Any, fail) -> list[RuleCase]:
    if not isinstance(tests, list):
        raise fail((), "tests is a list of cases {name, given, expect}")
    cases = []
    names: set[str] = set()
    for index, case in enumerate(tests):
        if not isinstance(case, dict) or set(case) - {"name", "given", "expect"}:
            raise fail((index,), "a case is {name, given, expect}")
        name = case.get("name")
        if not isinstance(name, str) or not _ID.match(name) or name in names:
            raise fail((index, "name"), "a case name is a unique kebab-case slug")
        names.add(name)
        if case.get("expect") not in EXPECTATIONS:
            raise fail((index, "expect"), f"expect is one of {', '.join(EXPECTATIONS)}")
        given = case.get("given") or {}
        if not isinstance(given, dict):
            raise fail((index, "given"), "given is a mapping of facts")
        flat = flatten_given(given)
        for fact in flat:
            if fact not in FACTS:
                raise fail((index, "given"), hinted(f"unknown fact '{fact}'", fact, FACTS))
        cases.append(RuleCase(name, flat, case["expect"]))
    return cases
