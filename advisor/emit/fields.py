"""The pinned frameworks' own field lists (extracted from their wheels by
tools/extract_framework_fields.py) and a check of an emitted config against them.

The check reads the config itself — the YAML keys, or the keyword arguments of the calls in a
script — so whatever an emitter writes is checked, not what it claims to write.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def framework_data(name: str) -> dict[str, Any]:
    path = resources.files("advisor.knowledge").joinpath("framework_fields", f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def versions(*names: str) -> str:
    return ", ".join(
        entry.split(" ")[0].removesuffix("-py3-none-any.whl")
        for name in names
        for entry in framework_data(name)["wheels"].values()
    )


def _keys(section: dict[str, Any]) -> set[str]:
    return set(section["params"] if "params" in section else section["fields"])


def script_calls() -> dict[str, set[str]]:
    """Which keyword arguments each call in a TRL / Unsloth script may use."""
    trl, peft, tf, unsloth = (framework_data(n) for n in ("trl", "peft", "transformers", "unsloth"))
    return {
        "SFTConfig": _keys(trl["SFTConfig"]),
        "SFTTrainer": _keys(trl["SFTTrainer"]),
        "LoraConfig": _keys(peft["LoraConfig"]),
        "BitsAndBytesConfig": _keys(tf["BitsAndBytesConfig"]),
        "FastLanguageModel.from_pretrained": _keys(unsloth["FastLanguageModel.from_pretrained"]),
        "FastLanguageModel.get_peft_model": _keys(unsloth["FastLanguageModel.get_peft_model"]),
        "get_chat_template": _keys(unsloth["get_chat_template"]),
        "train_on_responses_only": _keys(unsloth["train_on_responses_only"]),
    }


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return func.id if isinstance(func, ast.Name) else ""


def check_script(text: str) -> list[str]:
    """Keyword arguments (and enum values) a script passes that the pinned framework lacks."""
    allowed = script_calls()
    problems: list[str] = []
    for node in (n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)):
        name = _call_name(node)
        if name not in allowed:
            continue
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in allowed[name]:
                problems.append(f"{name}({keyword.arg}=...): not a parameter")
            if name == "get_chat_template" and keyword.arg == "chat_template":
                value = ast.literal_eval(keyword.value)
                if value not in framework_data("unsloth")["chat_templates"]["values"]:
                    problems.append(f"get_chat_template: unknown chat_template {value!r}")
    return problems


def _literal_problems(fields: dict[str, Any], data: dict[str, Any], where: str) -> list[str]:
    """A string written to a field whose type is a Literal[...] must be one of its values."""
    return [
        f"{where}{key} {value!r} is not one of {fields[key]['literal']}"
        for key, value in data.items()
        if isinstance(value, str) and key in fields and "literal" in fields[key]
        if value not in fields[key]["literal"]
    ]


def _unknown(data: dict[str, Any], allowed: set[str], what: str, where: str = "") -> list[str]:
    """Each key of a config section that the framework does not have."""
    return [f"{where}{key}: {what}" for key in data if key not in allowed]


def check_axolotl(text: str) -> list[str]:
    data = yaml.safe_load(text)
    ax = framework_data("axolotl")
    problems = _unknown(data, _keys(ax["config"]), "not an Axolotl field")
    problems += _literal_problems(ax["config"]["fields"], data, "")
    if "chat_template" in data and data["chat_template"] not in ax["chat_template"]["values"]:
        problems.append(f"chat_template {data['chat_template']!r} is not an Axolotl choice")
    for special in data.get("special_tokens") or {}:
        if special not in _keys(ax["special_tokens"]):
            problems.append(f"special_tokens.{special}: not an Axolotl field")
    dataset_fields = _keys(ax["dataset"])
    for dataset in data.get("datasets") or []:
        problems += _unknown(dataset, dataset_fields, "not an Axolotl dataset field", "datasets.")
        problems += _literal_problems(ax["dataset"]["fields"], dataset, "datasets.")
        if dataset.get("type") not in ax["dataset_type"]["values"]:
            problems.append(f"datasets.type {dataset.get('type')!r} is not an Axolotl strategy")
    return problems


def check_llamafactory(text: str) -> list[str]:
    data = yaml.safe_load(text)
    lf = framework_data("llamafactory")
    groups = lf["args"]["groups"]
    fields = set().union(*(set(g) for g in groups.values()))
    problems = _unknown(data, fields, "not a LLaMA-Factory argument")
    if "template" in data and data["template"] not in lf["templates"]["values"]:
        problems.append(f"template {data['template']!r} is not a registered LLaMA-Factory template")
    literals = {f: groups["FinetuningArguments"][f] for f in ("stage", "finetuning_type")}
    problems += _literal_problems(literals, data, "")
    return problems


def check_trl_cli(text: str) -> list[str]:
    data = yaml.safe_load(text)
    trl = framework_data("trl")
    cli = trl["cli"]
    fields = set(trl["SFTConfig"]["fields"]).union(
        cli["ModelConfig"], cli["ScriptArguments"], cli["DatasetMixtureConfig"]
    )
    problems = _unknown(data, fields, "not a `trl sft` argument")
    for dataset in data.get("datasets") or []:
        problems += _unknown(
            dataset, cli["DatasetConfig"], "not a TRL DatasetConfig field", "datasets."
        )
    return problems


CHECKS = {
    "trl": check_script,
    "trl-cli": check_trl_cli,
    "unsloth": check_script,
    "axolotl": check_axolotl,
    "llamafactory": check_llamafactory,
}
