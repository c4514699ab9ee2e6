"""The local provider: model folders and the HF cache layout, read without loading weights."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from advisor.errors import UserError
from advisor.inspect_view import render_json, render_text
from advisor.sources import catalog, local
from advisor.sources.resolve import fetch_one, inspect_model

FIXTURES = Path(__file__).parent / "fixtures" / "hub"


def write_safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]]) -> None:
    """A real safetensors file: u64 header length, JSON header, then zero bytes of data."""
    size = {"BF16": 2, "F16": 2, "F32": 4, "U8": 1, "I32": 4}
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (dtype, shape) in tensors.items():
        n = size[dtype]
        for dim in shape:
            n *= dim
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


def qwen_folder(root: Path, name: str = "Qwen2.5-0.5B-Instruct") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(
        (FIXTURES / "qwen2.5-0.5b-instruct.config.json").read_text()
    )
    tok = json.loads((FIXTURES / "qwen2.5-0.5b-instruct.tokenizer_config.json").read_text())
    (folder / "tokenizer_config.json").write_text(json.dumps(tok))
    (folder / "README.md").write_text(
        "---\nlicense: other\nlicense_name: qwen-research\nbase_model: Qwen/Qwen2.5-0.5B\n"
        "language:\n- en\n- zh\n---\n# A model\n"
    )
    write_safetensors(
        folder / "model.safetensors",
        {"embed.weight": ("BF16", [1000, 1000]), "lm.weight": ("BF16", [1000, 1000])},
    )
    return folder


def test_folder_facts_each_with_its_file(tmp_path: Path) -> None:
    facts = local.lookup(str(qwen_folder(tmp_path)))
    assert facts.get("context_length") == 32768
    assert facts.facts["context_length"].source == "config.json"
    assert facts.get("eos_token") == "<|im_end|>"
    assert facts.facts["eos_token"].source == "tokenizer_config.json"
    assert facts.get("chat_template_family") == "chatml"
    assert facts.get("license") == "qwen-research"  # license: other -> license_name
    assert facts.facts["license"].source == "README front matter"
    assert facts.get("base_model") == "Qwen/Qwen2.5-0.5B"
    assert facts.get("languages") == ["en", "zh"]
    assert facts.get("params_b") == 0.002  # 2,000,000 elements over two tensors
    assert facts.facts["params_b"].source == "safetensors header"
    assert facts.get("variant") == "instruct"
    assert facts.get("sliding_window") is None  # use_sliding_window: false


def test_safetensors_parameter_count_sums_shapes(tmp_path: Path) -> None:
    from advisor.sources.modelfiles import header_counts, read_safetensors_header

    path = tmp_path / "m.safetensors"
    write_safetensors(path, {"a": ("BF16", [1000, 1000]), "b": ("F32", [3, 5]), "c": ("U8", [7])})
    counts = header_counts(read_safetensors_header(path), path)
    assert counts == {"BF16": 1_000_000, "F32": 15, "U8": 7}


def test_packed_4bit_weights_are_unpacked(tmp_path: Path) -> None:
    folder = tmp_path / "q4"
    folder.mkdir()
    config = json.loads((FIXTURES / "qwen2.5-0.5b-instruct.config.json").read_text())
    config["quantization_config"] = {"quant_method": "bitsandbytes", "load_in_4bit": True}
    (folder / "config.json").write_text(json.dumps(config))
    write_safetensors(
        folder / "model.safetensors", {"w": ("U8", [1_000_000, 1]), "norm": ("BF16", [1_000_000])}
    )
    facts = local.lookup(str(folder))
    assert facts.get("params_b") == 0.003  # 1M bytes hold 2M weights, plus 1M bf16
    assert facts.get("quantized") is True


def test_oversized_safetensors_header_is_not_counted(tmp_path: Path) -> None:
    folder = qwen_folder(tmp_path)
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", 2**60) + b"{}")
    facts = fetch_one(str(folder), source="local")
    # The damaged header gives no count; the config dimensions still do.
    assert facts.facts["params_b"].source == "computed from config.json"


def test_params_computed_from_config_dimensions_without_safetensors(tmp_path: Path) -> None:
    folder = qwen_folder(tmp_path)
    (folder / "model.safetensors").unlink()
    facts = fetch_one(str(folder), source="local")  # the derived facts are added by resolve
    assert facts.get("hidden_size") == 896 and facts.get("num_key_value_heads") == 2
    assert facts.facts["hidden_size"].source == "config.json"
    fact = facts.facts["params_b"]
    assert fact.source == "computed from config.json"
    assert "896" in fact.detail  # the formula names the dimensions it used
    # The Hub's safetensors count for Qwen2.5-0.5B-Instruct, as the catalog records it.
    hub_count = catalog.lookup("Qwen/Qwen2.5-0.5B-Instruct").get("params_b")
    assert abs(fact.value / hub_count - 1) <= 0.02
    assert "computed from config.json" in render_text(facts)


def test_gemma3_text_config_and_template_file(tmp_path: Path) -> None:
    folder = tmp_path / "gemma-3-4b-it"
    folder.mkdir()
    config = {
        "architectures": ["Gemma3ForConditionalGeneration"],
        "model_type": "gemma3",
        "text_config": {
            "max_position_embeddings": 131072,
            "sliding_window": 1024,
            "vocab_size": 262208,
            "hidden_size": 2560,
            "num_hidden_layers": 34,
            "rope_scaling": {"rope_type": "linear", "factor": 8.0},
        },
        "eos_token_id": [1, 106],
    }
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "chat_template.jinja").write_text(
        (FIXTURES / "google__gemma-2-2b-it.jinja").read_text()
    )
    (folder / "tokenizer_config.json").write_text(
        json.dumps(
            {"eos_token": "<eos>", "added_tokens_decoder": {"106": {"content": "<end_of_turn>"}}}
        )
    )
    facts = local.lookup(str(folder))
    assert facts.get("context_length") == 131072
    assert facts.get("sliding_window") == 1024
    assert facts.get("hidden_size") == 2560 and facts.get("num_hidden_layers") == 34
    assert facts.get("rope_scaling") == "linear"
    assert facts.get("chat_template_family") == "gemma"
    assert facts.facts["chat_template_family"].detail.startswith(
        str(folder / "chat_template.jinja")
    )
    assert facts.get("variant") == "instruct"
    text = render_text(facts)
    assert "sliding window 1024" in text and "variant: instruct" in text


def test_hf_cache_layout_by_repo_id_and_by_path(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "hub"
    repo = cache / "models--Qwen--Qwen2.5-0.5B-Instruct"
    sha = "a" * 40
    qwen_folder(repo / "snapshots", sha)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(sha)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    by_id = local.lookup("Qwen/Qwen2.5-0.5B-Instruct")
    assert by_id.repo_id == "Qwen/Qwen2.5-0.5B-Instruct"
    assert by_id.get("context_length") == 32768
    by_path = local.lookup(str(repo))
    assert by_path.repo_id == "Qwen/Qwen2.5-0.5B-Instruct"
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # HF_HOME/hub is the same folder
    assert local.lookup("Qwen/Qwen2.5-0.5B-Instruct").get("vocab_size") == 151936


@pytest.mark.parametrize("make", ["missing", "file", "no-config"])
def test_bad_local_target_is_one_line_user_error(tmp_path: Path, make: str) -> None:
    target = tmp_path / "x"
    if make == "file":
        target.write_text("hi")
    elif make == "no-config":
        target.mkdir()
    with pytest.raises(UserError) as info:
        inspect_model(str(target), source="local")
    assert "\n" not in str(info.value)
    assert str(target) in str(info.value)


def test_inspect_json_lists_sources_and_missing(tmp_path: Path) -> None:
    facts = inspect_model(str(qwen_folder(tmp_path)))
    data = json.loads(render_json(facts))
    assert data["facts"]["vocab_size"] == {
        "value": 151936,
        "source": "config.json",
        "detail": str(tmp_path / "Qwen2.5-0.5B-Instruct" / "config.json"),
    }
    assert data["variant_confidence"] == "high"
    assert "gated" in data["missing"]


@pytest.mark.parametrize(
    ("template", "renders"),
    [
        ("Qwen__Qwen2.5-7B-Instruct.jinja", True),
        ("Qwen__Qwen3-0.6B.jinja", True),
        ("meta-llama__Llama-3.1-8B-Instruct.jinja", True),
        ("mistralai__Mistral-Nemo-Instruct-2407.jinja", True),
        ("google__gemma-2-2b-it.jinja", False),
        ("microsoft__Phi-3.5-mini-instruct.jinja", False),
        ("deepseek-ai__DeepSeek-R1-Distill-Qwen-32B.jinja", False),
    ],
)
def test_whether_a_template_renders_tools_is_read_from_its_jinja(
    tmp_path: Path, template: str, renders: bool
) -> None:
    # The real templates: tool calling fits a model whose template reads a tools variable.
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (folder / "chat_template.jinja").write_text((FIXTURES / template).read_text())
    facts = local.lookup(str(folder))
    assert facts.get("chat_template_tools") is renders
    assert facts.facts["chat_template_tools"].detail.startswith(str(folder / "chat_template.jinja"))
