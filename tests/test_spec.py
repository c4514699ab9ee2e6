"""The task spec: accepted values, and one-line errors with file, line, field and a suggestion."""

from __future__ import annotations

import pytest

from advisor.errors import UserError
from advisor.spec import TaskSpec, json_schema, parse_param_count, parse_spec

GOOD = """task:
  description: "Classify support tickets into 12 categories"
  kind: classification
data:
  format: chat
  examples: 800
  max_tokens: 2048
training:
  own_alignment: false
  custom_chat_format: false
  method: lora
  gpu_memory_gb: 24
constraints:
  commercial_use: true
  licenses: [Apache-2.0, mit]
  max_params: 8B
  min_context: 8192
  languages: [en, de]
models:
  candidates: [Qwen/Qwen2.5-7B, Qwen/Qwen2.5-7B-Instruct]
"""


def test_the_documented_spec_parses_with_normalised_values():
    spec = parse_spec(GOOD, "spec.yaml")
    assert spec.task.kind == "classification"
    assert spec.training.method == "lora"
    assert spec.constraints.max_params == 8_000_000_000
    assert spec.constraints.licenses == ["apache-2.0", "mit"]
    assert spec.models.candidates == ["Qwen/Qwen2.5-7B", "Qwen/Qwen2.5-7B-Instruct"]


@pytest.mark.parametrize(
    "text, size", [("8B", 8e9), ("500M", 5e8), ("1.5b", 1.5e9), (7000000000, 7e9), ("70k", 7e4)]
)
def test_param_sizes(text, size):
    assert parse_param_count(text) == int(size)


def error_of(text: str) -> str:
    with pytest.raises(UserError) as err:
        parse_spec(text, "spec.yaml")
    return str(err.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "task:\n  descripton: x\n",
            "spec.yaml:2: task.descripton: unknown key — did you mean 'description'?",
        ),
        (
            "task:\n  description: x\ndata:\n  format: chatt\n",
            "spec.yaml:4: data.format: 'chatt' is not allowed — did you mean 'chat'?",
        ),
        (
            "task:\n  description: x\ntraining:\n  method: LORA\n",
            "spec.yaml:4: training.method: 'LORA' is not allowed — did you mean 'lora'?",
        ),
        (
            "task:\n  description: x\nconstraints:\n  max_params: huge\n",
            "spec.yaml:4: constraints.max_params: expected a size like 8B",
        ),
        (
            "task:\n  description: x\ndata:\n  examples: -4\n",
            "spec.yaml:4: data.examples: Input should be greater than or equal to 0",
        ),
        ("data:\n  examples: 3\n", "spec.yaml:1: task: required field missing"),
        ("- a\n", "spec.yaml:1: a spec is a mapping"),
        ("task: [\n", "spec.yaml:2: invalid YAML"),
        (
            "task:\n  description: x\nmodels:\n  candidates: ['not a repo id']\n",
            "spec.yaml:4: models.candidates[0]: 'not a repo id' is not a Hub repo id",
        ),
        (
            "task:\n  description: x\nmodels:\n  candidates: [Qwen/Qwen2.5-7B@main]\n",
            "spec.yaml:4: models.candidates[0]: 'Qwen/Qwen2.5-7B@main': a revision is not taken"
            " (advisor reads the repo's main branch) — write Qwen/Qwen2.5-7B",
        ),
        (
            "task:\n  description: x\nmodels:\n  candidates: ['https://hf.co/datasets/a/b']\n",
            "is not a Hub repo id",
        ),
        ("a: &x [1]\nb: *x\n", "spec.yaml:1: YAML anchors and aliases are not allowed"),
        (
            "task: !!python/object/apply:os.system [ls]\n",
            "tag '!!python/object/apply:os.system' is not allowed",
        ),
        ("", "spec.yaml: empty spec"),
    ],
)
def test_bad_specs_give_one_line_with_where_and_what(text, expected):
    message = error_of(text)
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "pasted",
    [
        "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct",
        "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/",
        "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/tree/main",
        "https://hf.co/Qwen/Qwen2.5-7B-Instruct/blob/main/config.json",
    ],
)
def test_a_pasted_model_page_address_is_read_as_its_repo_id(pasted):
    spec = parse_spec(f"task:\n  description: x\nmodels:\n  candidates: ['{pasted}']\n", "s.yaml")
    assert spec.models.candidates == ["Qwen/Qwen2.5-7B-Instruct"]


def test_schema_names_the_public_fields():
    schema = json_schema()
    assert set(schema["properties"]) == {"task", "data", "training", "constraints", "models"}
    assert schema["additionalProperties"] is False
    assert TaskSpec.model_validate({"task": {"description": "x"}}).training.method == "lora"
