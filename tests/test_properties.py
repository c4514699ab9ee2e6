"""Property-based tests: generated inputs through the spec loader, the rule loader, the condition
evaluator and the metadata normalisers. Each gives a result or a UserError, never anything else.

Reproducible: the profile is derandomized (a fixed seed per test) and keeps no example database,
so CI runs the same examples every time. The per-test `max_examples` of the deep run
(`ADVISOR_DEEP_TESTS=1 python -m pytest -q tests/test_properties.py`) add up to at least 10,000;
the README's standard run uses a quarter of each (2,500 in all, the same seeds), which keeps the
whole suite within 150 s on two cores. The last test checks the count when the whole file runs.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from advisor.engine.conditions import (
    OPERATORS,
    ClauseResult,
    ConditionError,
    Leaf,
    Node,
    compile_condition,
    evaluate,
)
from advisor.engine.loader import Rule, load_rule_file
from advisor.engine.registry import FACTS, fact_type, is_list_fact
from advisor.errors import UserError
from advisor.facts import ModelFacts
from advisor.sources import hub, local
from advisor.spec import TaskSpec, parse_spec

settings.register_profile(
    "advisor-properties",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = settings.get_profile("advisor-properties")

# Examples per test in the deep run; the sum is its generated-input count (at least 10,000).
DEEP_EXAMPLES = {
    "spec_text": 1500,
    "spec_structure": 2000,
    "rule_dict": 1500,
    "condition": 2500,
    "local_folder": 1000,
    "hub_answer": 1500,
}
DEEP = os.environ.get("ADVISOR_DEEP_TESTS", "") not in ("", "0")
SHARE = 1 if DEEP else 4  # the standard run takes every fourth of the deep run's budget
EXAMPLES = {name: count // SHARE for name, count in DEEP_EXAMPLES.items()}
RAN: dict[str, int] = {}
COUNTED: dict[str, str] = {}  # test function -> its budget's name


def counted(name: str):
    """Count the examples a test really ran (hypothesis may stop early on a small space)."""

    def wrap(fn):
        COUNTED[fn.__name__] = name

        @functools.wraps(fn)  # keeps the signature: @given and pytest read it
        def inner(*args: Any, **kwargs: Any) -> None:
            RAN[name] = RAN.get(name, 0) + 1
            fn(*args, **kwargs)

        return inner

    return wrap


def examples(name: str) -> settings:
    return settings(PROFILE, max_examples=EXAMPLES[name])


# --- generic JSON / YAML values ------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


def nested(leaves: st.SearchStrategy, keys: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


any_yaml = nested(scalars, st.text(max_size=8) | st.integers() | st.booleans())
any_json = nested(json_scalars, st.text(max_size=8))


def maybe(known: st.SearchStrategy, junk: st.SearchStrategy = any_json) -> st.SearchStrategy:
    """Mostly a plausible value, sometimes anything at all."""
    return st.one_of(known, known, junk)


def sections(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional=fields)


# --- 1. the spec loader ------------------------------------------------------------------------

yaml_chars = st.sampled_from(list(": -[]{},#&*!|>'\"%@`\n\t ?") + list(string.ascii_letters[:12]))
yaml_like_text = st.lists(
    st.sampled_from(
        ["task:", "\n  description: ", "data:", "\n  examples: ", "- ", "&a ", "*a", "!!str ",
         "!!python/object:os.system ", "{", "}", "[", "]", "\n", "  ", "'", '"', "x", "8B", "-1",
         "1e400", ".nan", "~", "? ", "<<: ", "---\n", "...\n", "\t", "\ufeff", "\x00"]
    )
    | yaml_chars,
    max_size=40,
).map("".join)  # fmt: skip


@examples("spec_text")
@given(st.one_of(st.text(max_size=200), yaml_like_text))
@counted("spec_text")
def test_spec_loader_on_arbitrary_text(text: str) -> None:
    try:
        result = parse_spec(text, "gen.yaml")
    except UserError as exc:
        line = exc.one_line()
        assert line and "\n" not in line and "\r" not in line
        return
    assert isinstance(result, TaskSpec)


SPEC_FIELDS = {
    "task": maybe(
        sections(
            {
                "description": maybe(st.text(max_size=30), scalars),
                "kind": maybe(st.sampled_from(["classification", "chat", "qa", "nope"]), scalars),
                "domains": maybe(st.lists(st.sampled_from(["legal", "medical", "x"]), max_size=3)),
                "style": maybe(st.lists(st.sampled_from(["persona", "terse", "y"]), max_size=3)),
                "extra": scalars,
            }
        )
    ),
    "data": maybe(
        sections(
            {
                "format": maybe(st.sampled_from(["chat", "raw-text", "chatt"]), scalars),
                "examples": maybe(st.integers(min_value=-(10**14), max_value=10**14), scalars),
                "max_tokens": maybe(st.integers(min_value=-5, max_value=10**9), scalars),
            }
        )
    ),
    "training": maybe(
        sections(
            {
                "own_alignment": scalars,
                "custom_chat_format": scalars,
                "method": maybe(st.sampled_from(["full", "lora", "qlora", "LoRA"]), scalars),
                "gpu_memory_gb": scalars,
            }
        )
    ),
    "constraints": maybe(
        sections(
            {
                "commercial_use": scalars,
                "licenses": maybe(st.lists(st.text(max_size=10), max_size=3), scalars),
                "max_params": maybe(st.sampled_from(["8B", "500M", "1.5b", "-8B", "8X", "0"])),
                "min_context": scalars,
                "languages": maybe(st.lists(st.sampled_from(["en", "de", "eng"]), max_size=3)),
            }
        )
    ),
    "models": maybe(
        sections(
            {
                "candidates": maybe(
                    st.lists(
                        st.sampled_from(
                            ["Qwen/Qwen2.5-7B", "../../etc", "a b", "https://x/y", "o/n\n", "./m"]
                        )
                        | st.text(max_size=20),
                        max_size=4,
                    ),
                    scalars,
                )
            }
        )
    ),
    "modles": scalars,
}  # fmt: skip


# Valid specs, so the accepting path (and its round trip) is exercised as much as the refusals.
VALID_SPEC = st.fixed_dictionaries(
    {"task": st.fixed_dictionaries(
        {"description": st.text(string.ascii_letters + " ", min_size=1, max_size=40)
         .filter(str.strip)},
        optional={"kind": st.sampled_from(["classification", "chat", "code-completion"]),
                  "domains": st.lists(st.sampled_from(["legal", "security"]), max_size=2)},
    )},
    optional={
        "data": st.fixed_dictionaries({}, optional={
            "format": st.sampled_from(["chat", "raw-text", "preference"]),
            "examples": st.integers(0, 10**12), "max_tokens": st.integers(1, 10**8)}),
        "training": st.fixed_dictionaries({}, optional={
            "own_alignment": st.booleans(), "method": st.sampled_from(["full", "lora", "qlora"]),
            "gpu_memory_gb": st.floats(0.5, 100_000)}),
        "constraints": st.fixed_dictionaries({}, optional={
            "commercial_use": st.booleans(), "max_params": st.sampled_from(["8B", "500M", 7000]),
            "languages": st.lists(st.sampled_from(["en", "de", "pt-br"]), max_size=2),
            "licenses": st.lists(st.sampled_from(["mit", "Apache-2.0"]), max_size=2)}),
        "models": st.fixed_dictionaries({}, optional={"candidates": st.lists(
            st.sampled_from(["Qwen/Qwen2.5-7B", "google/gemma-2-2b", "./local-model"]),
            max_size=3)}),
    },
)  # fmt: skip


@examples("spec_structure")
@given(VALID_SPEC | sections(SPEC_FIELDS) | any_yaml)
@counted("spec_structure")
def test_spec_loader_on_generated_structures(data: Any) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    try:
        result = parse_spec(text, "gen.yaml")
    except UserError as exc:
        event("spec refused")
        line = exc.one_line()
        assert line.startswith("gen.yaml") and "\n" not in line
        return
    event("spec loaded")
    assert isinstance(result, TaskSpec)
    # What loads once loads again the same from its own YAML form.
    again = parse_spec(yaml.safe_dump(result.to_yaml_dict(), allow_unicode=True), "again.yaml")
    assert again == result


# --- 2. the rule loader ------------------------------------------------------------------------

FACT_NAMES = sorted(FACTS)
ops = st.sampled_from(sorted(OPERATORS)) | st.sampled_from(["smaller", "EQ", ""]) | scalars
fact_names = (
    st.sampled_from(FACT_NAMES) | st.sampled_from(["data.exampels", "model.nope"]) | scalars
)


def _kind(fact: str) -> str:
    if is_list_fact(fact):
        return "list"
    kind = fact_type(fact)
    return "enum" if isinstance(kind, tuple) else kind


def scalar_for(fact: str) -> st.SearchStrategy:
    """One plausible value of a fact (an element, for a list fact)."""
    kind = fact_type(fact)
    if isinstance(kind, tuple):
        return st.sampled_from(kind)
    return {
        "int": st.integers(-5, 10**6),
        "float": st.floats(-5, 1e6, allow_nan=False),
        "bool": st.booleans(),
        "str": st.sampled_from(["apache-2.0", "chatml", "qwen", "x"]),
        "list": st.sampled_from(["en", "de", "mit", "apache-2.0"]),
    }[kind]


def literal_for(fact: str) -> st.SearchStrategy:
    """A value the fact may hold in a context: a list for list facts."""
    if _kind(fact) == "list":
        return st.lists(scalar_for(fact), max_size=3)
    return scalar_for(fact)


OPS_BY_KIND = {
    "list": ["contains", "contains_any", "exists", "absent"],
    "int": ["lt", "lte", "gt", "gte", "eq", "ne", "in", "not_in", "exists", "absent"],
    "float": ["lt", "lte", "gt", "gte", "eq", "ne", "in", "not_in", "exists", "absent"],
    "bool": ["eq", "ne", "exists", "absent"],
    "str": ["eq", "ne", "in", "not_in", "matches", "exists", "absent"],
    "enum": ["eq", "ne", "in", "not_in", "matches", "exists", "absent"],
}


@st.composite
def leaves(draw: st.DrawFn, wild: bool) -> dict[str, Any]:
    """A leaf the loader accepts (most of the time); `wild` then breaks parts of it."""
    fact = draw(st.sampled_from(FACT_NAMES))
    op = draw(st.sampled_from(OPS_BY_KIND[_kind(fact)]))
    leaf: dict[str, Any] = {"fact": fact, "op": op}
    if op in ("in", "not_in", "contains_any"):
        leaf["value"] = draw(st.lists(scalar_for(fact), min_size=1, max_size=3))
    elif op == "matches":
        leaf["value"] = draw(st.sampled_from(["inst", "^q", "chat|ml", "[a-z]+"]))
    elif op not in ("exists", "absent"):
        leaf["value"] = draw(scalar_for(fact))
    if op in ("eq", "ne", "lt", "gte") and draw(st.integers(0, 4)) == 0:
        leaf["value"] = {"fact": draw(st.sampled_from(FACT_NAMES))}  # fact vs fact
    if wild:
        if draw(st.booleans()):
            leaf["fact"] = draw(fact_names)
        if draw(st.booleans()):
            leaf["op"] = draw(ops)
        if draw(st.integers(0, 3)) == 0:
            leaf["value"] = draw(any_json)
        if draw(st.integers(0, 5)) == 0:
            leaf[draw(st.sampled_from(["vaule", "all", "extra"]))] = draw(scalars)
    return leaf


def conditions(wild: bool) -> st.SearchStrategy:
    return st.recursive(
        leaves(wild),
        lambda inner: (
            st.builds(lambda c: {"not": c}, inner)
            | st.builds(lambda cs: {"all": cs}, st.lists(inner, min_size=1, max_size=3))
            | st.builds(lambda cs: {"any": cs}, st.lists(inner, min_size=1, max_size=3))
        ),
        max_leaves=6,
    )


RULE_FIELDS = {
    "id": maybe(st.just("gen-rule"), scalars),
    "summary": maybe(st.just("a generated rule"), scalars),
    "kind": maybe(
        st.sampled_from(["default", "exception", "alignment-tax", "fit", "pitfall", "heuristic"]),
        any_json,
    ),
    "effect": maybe(
        st.sampled_from(
            [{"vote": "base", "weight": 1}, {"tax": "high"}, {"status": "warn"},
             {"vote": "x", "weight": 99}, {"status": ["warn"]}]
        )
    ),
    "when": st.one_of(conditions(wild=False), conditions(wild=True), any_json),
    "message": maybe(st.sampled_from(["fires {data.examples}", "{model.nope}", "ok"]), scalars),
    "explain": maybe(
        st.fixed_dictionaries(
            {"what": st.just("w"), "why": st.just("y")},
            optional={"references": maybe(st.lists(st.text(max_size=5))), "caveats": scalars},
        )
    ),
    "tests": maybe(
        st.lists(
            st.fixed_dictionaries(
                {
                    "name": maybe(st.sampled_from(["fires", "silent", "Bad Name"]), scalars),
                    "given": maybe(st.just({"data": {"examples": 10}}), any_json),
                    "expect": maybe(st.sampled_from(["fires", "silent", "unknown", "x"]), scalars),
                }
            ),
            max_size=3,
        )
    ),
}  # fmt: skip
RULE_OPTIONAL = {
    "name": scalars,
    "aliases": maybe(st.lists(st.text(max_size=5), max_size=2), scalars),
    "unknown_key": scalars,
}


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="advisor-props-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


VALID_EFFECTS = {
    "default": st.fixed_dictionaries(
        {"vote": st.sampled_from(["base", "instruct"]), "weight": st.integers(0, 10)}
    ),
    "alignment-tax": st.fixed_dictionaries({"tax": st.sampled_from(["medium", "high"])}),
    "fit": st.fixed_dictionaries({"status": st.sampled_from(["pass", "warn", "fail"])}),
}


@st.composite
def valid_rules(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(VALID_EFFECTS)))
    return {
        "id": "gen-rule",
        "summary": "a generated rule",
        "kind": kind,
        "effect": draw(VALID_EFFECTS[kind]),
        "when": draw(conditions(wild=False)),
        "message": draw(st.sampled_from(["fires for {data.examples}", "{model.license} x"])),
        "explain": {"what": "w", "why": "y", "references": ["https://example.org"]},
        "tests": [
            {"name": "fires", "given": {"data": {"examples": 10}}, "expect": "fires"},
            {"name": "silent", "given": {"model.license": "mit"}, "expect": "silent"},
        ],
    }


@examples("rule_dict")
@given(
    valid_rules()
    | sections(RULE_FIELDS | RULE_OPTIONAL)
    # every required key present, most of the time: reaches the deeper checks
    | st.fixed_dictionaries(RULE_FIELDS, optional=RULE_OPTIONAL)
    | st.fixed_dictionaries(RULE_FIELDS)
    | any_yaml
)
@counted("rule_dict")
def test_rule_loader_on_generated_rules(scratch: Path, data: Any) -> None:
    path = scratch / "gen-rule.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    try:
        rule = load_rule_file(path)
    except UserError as exc:
        event("rule refused")
        line = exc.one_line()
        assert str(path) in line and "\n" not in line
        return
    event("rule loaded")
    assert isinstance(rule, Rule) and rule.id == "gen-rule"


# --- 3. the condition evaluator ----------------------------------------------------------------

wrong_typed = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=6),
    st.lists(st.text(max_size=4) | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["base", "instruct", "chat", "en", "apache-2.0", "qwen"]),
)


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(FACT_NAMES), max_size=12, unique=True))
    out: dict[str, Any] = {}
    for name in names:
        out[name] = draw(st.one_of(literal_for(name), wrong_typed))
    return out


def count_leaves(condition: Leaf | Node) -> list[Leaf]:
    if isinstance(condition, Leaf):
        return [condition]
    return [leaf for child in condition.children for leaf in count_leaves(child)]


def kleene(condition: Leaf | Node, context: dict[str, Any]) -> bool | None:
    """The three-valued laws, computed child by child from separate evaluations."""
    if isinstance(condition, Leaf):
        return evaluate(condition, context, [])
    results = [kleene(child, context) for child in condition.children]
    if condition.kind == "not":
        return None if results[0] is None else not results[0]
    if condition.kind == "all":
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


@examples("condition")
@given(conditions(wild=False), contexts())
@counted("condition")
def test_condition_evaluator_is_three_valued_and_traces_every_leaf(
    data: dict[str, Any], context: dict[str, Any]
) -> None:
    try:
        condition = compile_condition(data)
    except ConditionError:
        event("condition refused")
        return  # a generated literal the loader refuses (e.g. a list for eq): not evaluated
    trace: list[ClauseResult] = []
    result = evaluate(condition, context, trace)
    event(f"condition -> {result}")
    assert result in (True, False, None)
    assert type(result) is bool or result is None
    leaves_in_order = count_leaves(condition)
    assert [c.fact for c in trace] == [leaf.fact for leaf in leaves_in_order]  # none skipped
    assert all(c.passed in (True, False, None) for c in trace)
    assert result == kleene(condition, context)
    # not(not c) == c; a missing fact is unknown, never false.
    assert evaluate(Node("not", (Node("not", (condition,)),)), context, []) == result
    for clause, leaf in zip(trace, leaves_in_order, strict=True):
        if leaf.op not in ("exists", "absent") and context.get(leaf.fact) is None:
            assert clause.passed is None
    # Rule order never matters: all/any over a permutation give the same answer.
    if isinstance(condition, Node) and condition.kind in ("all", "any"):
        flipped = Node(condition.kind, tuple(reversed(condition.children)))
        assert evaluate(flipped, context, []) == result


# --- 4. the metadata normalisers ---------------------------------------------------------------

CONFIG_FIELDS = {
    "model_type": maybe(st.sampled_from(["llama", "qwen2", "gemma3_text"])),
    "architectures": maybe(st.lists(st.sampled_from(["LlamaForCausalLM", "X"]), max_size=2)),
    "max_position_embeddings": maybe(st.integers(-1, 10**7)),
    "sliding_window": maybe(st.integers(-1, 10**6)),
    "use_sliding_window": json_scalars,
    "rope_scaling": maybe(
        st.fixed_dictionaries({}, optional={"rope_type": json_scalars, "factor": json_scalars})
    ),
    "vocab_size": maybe(st.integers(-1, 10**6)),
    "eos_token_id": maybe(st.integers(0, 10**6) | st.lists(st.integers(0, 10**6), max_size=3)),
    "pad_token_id": maybe(st.integers(0, 10**6)),
    "tie_word_embeddings": json_scalars,
    "quantization_config": maybe(
        st.fixed_dictionaries(
            {},
            optional={
                "quant_method": json_scalars,
                "bits": maybe(st.sampled_from([2, 3, 4, 8, 16, 0])),
                "load_in_4bit": json_scalars,
                "bnb_4bit_quant_type": json_scalars,
                "w_bit": json_scalars,
            },
        )
    ),
}
CONFIG = sections({**CONFIG_FIELDS, "text_config": maybe(sections(CONFIG_FIELDS))}) | any_json
TEMPLATES = st.sampled_from(
    ["{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}",
     "<start_of_turn>user", "[INST]", "{{ ''.__class__.__mro__ }}",
     "{% for i in range(10**9) %}x{% endfor %}", ""]
) | st.text(max_size=30)  # fmt: skip
TOKENIZER = (
    sections(
        {
            "tokenizer_class": json_scalars,
            "bos_token": maybe(st.sampled_from(["<s>", "<bos>"]) | st.just({"content": "<s>"})),
            "eos_token": maybe(st.sampled_from(["</s>", "<|im_end|>"]) | st.just({"content": 5})),
            "pad_token": json_scalars,
            "chat_template": maybe(
                TEMPLATES
                | st.lists(
                    st.fixed_dictionaries(
                        {}, optional={"name": maybe(st.just("default")), "template": TEMPLATES}
                    )
                    | json_scalars,
                    max_size=3,
                )
            ),
            "added_tokens_decoder": maybe(
                st.dictionaries(
                    st.sampled_from(["0", "1", "x", "-1", "99999999999999999999"]),
                    maybe(st.fixed_dictionaries({"content": maybe(st.just("<|im_end|>"))})),
                    max_size=3,
                )
            ),
        }
    )
    | any_json
)
CARD = (
    sections(
        {
            "license": maybe(st.sampled_from(["apache-2.0", "other", "mit"]) | st.just([])),
            "license_name": json_scalars,
            "base_model": maybe(st.sampled_from(["Qwen/Qwen2.5-7B", "../../etc", ""])),
            "language": maybe(st.sampled_from(["en", "de"]) | st.lists(st.just("en"), max_size=2)),
        }
    )
    | any_json
)


def _front_matter(card: Any, junk: str) -> str:
    return "---\n" + yaml.safe_dump(card, allow_unicode=True) + "---\n" + junk


@examples("local_folder")
@given(
    config=CONFIG,
    tokenizer=st.none() | TOKENIZER,
    card=st.none() | CARD,
    readme_junk=st.sampled_from(["", "# Model\n", "---\n: : :\n"]),
    template_file=st.none() | TEMPLATES,
    safetensors_header=st.none() | st.binary(max_size=24) | any_json.map(lambda v: json.dumps(v)),
)
@counted("local_folder")
def test_local_folder_reader_on_generated_metadata(
    scratch: Path,
    config: Any,
    tokenizer: Any,
    card: Any,
    readme_junk: str,
    template_file: str | None,
    safetensors_header: Any,
) -> None:
    folder = scratch / "model"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config), "utf-8")
    if tokenizer is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer), "utf-8")
    if card is not None:
        (folder / "README.md").write_text(_front_matter(card, readme_junk), "utf-8")
    if template_file is not None:
        (folder / "chat_template.jinja").write_text(template_file, "utf-8")
    if isinstance(safetensors_header, bytes):
        (folder / "model.safetensors").write_bytes(safetensors_header)
    elif isinstance(safetensors_header, str):
        raw = safetensors_header.encode()
        (folder / "model.safetensors").write_bytes(len(raw).to_bytes(8, "little") + raw)
    facts = local.read_folder(folder)
    assert isinstance(facts, ModelFacts)
    _facts_are_well_typed(facts)


HUB_ANSWER = st.fixed_dictionaries(
    {"repo_id": st.sampled_from(["org/model", "Qwen/Qwen2.5-0.5B-Instruct"])},
    optional={
        "sha": maybe(st.text(string.hexdigits, min_size=40, max_size=40)),
        "author": json_scalars,
        "gated": maybe(st.sampled_from([False, "manual", "auto"])),
        "tags": maybe(
            st.lists(
                st.sampled_from(
                    ["conversational", "base_model:finetune:Qwen/Qwen2.5-0.5B",
                     "base_model:quantized:org/x", "base_model:adapter:../../etc", "a:b"]
                ),
                max_size=3,
            )
        ),
        "pipeline_tag": json_scalars,
        "card_data": maybe(CARD),
        "config": maybe(
            sections({**CONFIG_FIELDS, "tokenizer_config": TOKENIZER}) | CONFIG
        ),
        "safetensors": maybe(
            sections(
                {
                    "parameters": maybe(
                        st.dictionaries(
                            st.sampled_from(["BF16", "U8", "I32", "F32"]),
                            maybe(st.integers(0, 10**11)),
                            max_size=3,
                        )
                    ),
                    "total": json_scalars,
                }
            )
        ),
        "base_models": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "relation": maybe(st.sampled_from(["finetune", "quantized", "merge"])),
                    "models": maybe(
                        st.lists(
                            st.fixed_dictionaries({"id": maybe(st.just("Qwen/Qwen2.5-0.5B"))}),
                            max_size=2,
                        )
                    ),
                },
            )
        ),
        "siblings": maybe(
            st.lists(st.sampled_from(["config.json", "chat_template.jinja", "x"]), max_size=3)
        ),
        "files": maybe(
            sections(
                {"config.json": CONFIG, "tokenizer_config.json": TOKENIZER,
                 "chat_template.jinja": maybe(TEMPLATES)}
            )
        ),
        "children": maybe(st.lists(st.sampled_from(["org/model-Instruct", "org/../x"]))),
        "file_errors": maybe(st.just({"config.json": "gated"})),
    },
)  # fmt: skip


@examples("hub_answer")
@given(HUB_ANSWER)
@counted("hub_answer")
def test_hub_answer_normaliser_on_generated_answers(answer: dict[str, Any]) -> None:
    """An answer as the Hub gave it or as the answer cache kept it (a cache file may be old,
    damaged or edited): facts or an error on the candidate, never an exception."""
    facts = hub.facts_from_answer(answer, cached=True)
    assert isinstance(facts, ModelFacts)
    _facts_are_well_typed(facts)


def _facts_are_well_typed(facts: ModelFacts) -> None:
    """What the rules see has the registry's types (a string where a number belongs would make
    a clause silently unknown)."""
    python_types = {"int": int, "float": (int, float), "bool": bool, "str": str, "list": list}
    for name, fact in facts.facts.items():
        kind = fact_type(f"model.{name}")
        if isinstance(kind, tuple):
            assert fact.value in kind, (name, fact.value)
        else:
            assert isinstance(fact.value, python_types[kind]), (name, fact.value)
            if kind != "bool":
                assert not isinstance(fact.value, bool), (name, fact.value)
    json.dumps(facts.to_json())  # and it serialises for the JSON report


@pytest.fixture(autouse=True)
def ran_its_whole_budget(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each generating test really ran its budget of inputs, checked as it ends: it holds on
    whichever test worker runs it (a count over the whole file did not under pytest-xdist)."""
    name = COUNTED.get(request.function.__name__)
    before = RAN.get(name, 0)
    yield
    if name is not None:
        assert RAN.get(name, 0) - before >= EXAMPLES[name], (name, RAN)


def test_the_budgets_add_up_to_ten_thousand_inputs_in_the_deep_run() -> None:
    """The deep run generates at least 10,000 inputs, the standard run a quarter of that."""
    assert set(COUNTED.values()) == set(EXAMPLES)  # every budget belongs to a test
    assert sum(EXAMPLES.values()) >= 10_000 // SHARE
