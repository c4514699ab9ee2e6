"""Pieces every emitter shares: wrapped comments, YAML lines with their reasons, the header."""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from advisor.emit.fields import versions
from advisor.emit.plan import Plan
from advisor.emit.rules import Choice, deepspeed_files
from advisor.report.labels import escaped

WIDTH = 98

# Comments carry untrusted text (the task, model metadata). A control character in them would
# act on the terminal that shows the config, make YAML refuse the whole file (C0 / C1 are not
# printable to it), and a line break YAML or Python knows but textwrap does not (NEL, U+2028,
# U+2029) would end the comment and turn the rest of the line into a setting. Shown escaped.
_UNSAFE_IN_COMMENT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# json.dumps keeps DEL, C1, the bidi controls and U+2028 / U+2029 raw inside strings; as
# \uXXXX escapes they are the same string to a YAML or JSON reader and inert everywhere else.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def comment(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        _UNSAFE_IN_COMMENT.sub(escaped, text),
        WIDTH - len(indent),
        initial_indent=f"{indent}# ",
        subsequent_indent=f"{indent}#   ",
    ) or [f"{indent}#"]


def yaml_value(value: Any) -> str:
    """A scalar or flow value as YAML (JSON is valid YAML and quotes every special token)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _RAW_IN_JSON.sub(
        lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(value, ensure_ascii=False)
    )


class Lines:
    """A config file or script written line by line after its header (`header()`), each setting
    under the comment that explains it."""

    def __init__(self, header: list[str]) -> None:
        self.lines = header

    def note(self, text: str, indent: str = "") -> None:
        self.lines += comment(text, indent)

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


class YamlLines(Lines):
    def set(self, key: str, value: Any, why: str | None = None, indent: str = "") -> None:
        if why:
            self.note(why, indent)
        self.lines.append(f"{indent}{key}: {yaml_value(value)}")

    def open(self, key: str, why: str) -> None:
        self.note(why)
        self.lines.append(f"{key}:")

    def blank(self) -> None:
        self.lines.append("")


def header(
    plan: Plan, framework: str, run: list[str], *packages: str, limits: list[str] = ()
) -> list[str]:
    """The comment a config starts with (then a blank line): what it is, the pinned versions of
    `packages` its fields were checked against, how to run it, the plan's warnings and the
    framework's `limits` known before its settings (each also printed as a warning)."""
    checked = f"Checked against: {versions(*packages)} (advisor/knowledge/framework_fields)"
    lines = [f"{framework} config for {plan.repo}", *plan.header, checked, "Run it:"]
    out = [x for line in lines for x in comment(line)]
    out += [f"#   {command}" for command in run]
    if any("--num_processes" in command for command in run):
        # The spec counts GPUs, not machines: "two nodes of 4x L40S" is 8 GPUs on 2 machines.
        out += comment(
            "(all on one machine; across machines run it on each with --num_machines M "
            "--machine_rank R --main_process_ip HOST, --num_processes being the total)"
        )
    warnings = [*plan.warnings, *limits]
    return out + [x for warning in warnings for x in comment(f"WARNING: {warning}")] + [""]


def setting(key: str, choice: Choice) -> tuple[str, Any, str]:
    """A setting with the value the rules chose and the reason for it."""
    return key, choice.value, choice.comment()


def data_shape(plan: Plan) -> str:
    """What the training file must hold, for the objective the rules chose."""
    objective = plan.value("objective")
    if objective == "pretrain":
        return 'JSONL, one document per line: {"text": "..."}'
    if objective == "fim":
        fim = plan.fact("model.fim_tokens")
        tokens = ", ".join(fim) if fim else "unknown here — check the tokenizer's FIM tokens"
        return (
            'JSONL, {"text": "..."} with each example already laid out as prefix / suffix / '
            f"middle with the model's FIM tokens ({tokens})"
        )
    if objective == "completion":
        return 'JSONL, one text to continue per line: {"text": "..."}'
    return (
        'JSONL, one conversation per line: {"messages": [{"role": "user", "content": "..."}, '
        '{"role": "assistant", "content": "..."}]}'
    )


def special_tokens(plan: Plan) -> list[str]:
    return list(plan.fact("fmt.special_tokens") or [])


def method(plan: Plan) -> str:
    return plan.fact("training.method") or "lora"


EFFECTIVE_BATCH = 16


def accumulation(plan: Plan) -> tuple[int, str]:
    """Gradient accumulation steps that give an effective batch of 16 per device."""
    batch = plan.value("batch_size")
    steps = max(1, EFFECTIVE_BATCH // batch)
    return steps, f"effective batch {steps * batch} per device at batch size {batch}"


def gpus(plan: Plan) -> int:
    """How many GPUs the memory estimate assumes (1 when the spec names none)."""
    return int(plan.fact("training.gpus") or 1)


def launch(plan: Plan, command: str) -> str:
    """`command` as run on every GPU the estimate assumes (accelerate starts one per GPU)."""
    n = gpus(plan)
    return command if n == 1 else f"accelerate launch --num_processes {n} {command}"


def set_deepspeed(doc: YamlLines, plan: Plan, framework: str, name: str, fetch: str = "") -> None:
    """The DeepSpeed ZeRO config the framework ships, when the estimate assumes ZeRO-2 / ZeRO-3."""
    if (found := deepspeed_files().get(framework, {}).get(plan.value("sharding"))) is not None:
        why = f"{plan.why('sharding')} — a file of the {name} repository{fetch}"
        doc.set("deepspeed", found, why)


def sharding_limit(plan: Plan, framework: str, how: str) -> str | None:
    """What the user must add for the sharding the memory estimate assumes, when this config
    does not set it up itself; None when it does (or one GPU needs none)."""
    sharding = plan.value("sharding")
    if sharding in ("none", "ddp"):
        return None
    return (
        f"{framework}: the memory estimate assumes {gpus(plan)} GPUs with "
        f"{SHARDING_NAMES[sharding]}, which this config does not set up: {how}. Without it "
        "every GPU holds the whole model, its gradients and optimizer states"
    )


SHARDING_NAMES = {
    "fsdp": "FSDP full shard",
    "zero2": "DeepSpeed ZeRO-2",
    "zero3": "DeepSpeed ZeRO-3",
}
