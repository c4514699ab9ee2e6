"""Training configs: the config rules' own cases, six golden specs x four frameworks, every key
and enum value checked against the fields extracted from the pinned frameworks' wheels."""

from __future__ import annotations

import os
import py_compile
import re
from pathlib import Path

import pytest
import yaml

from advisor.emit import FRAMEWORKS, SUFFIX, build_plan, render_config
from advisor.emit.fields import CHECKS, framework_data
from advisor.emit.rules import chat_formats, config_rules, decide
from advisor.pipeline import run
from advisor.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "configs"
UPDATE = os.environ.get("ADVISOR_UPDATE_GOLDEN") == "1"
# The six golden specs: instruct LoRA, instruct QLoRA on a small GPU, base CPT, base + own chat
# format with new tokens, FIM code completion, a Qwen3 thinking model.
SPECS = {
    "instruct-lora": "support-tickets.yaml",
    "instruct-qlora-small-gpu": "small-gpu-qlora.yaml",
    "base-cpt": "legal-cpt.yaml",
    "base-own-format-new-tokens": "own-alignment.yaml",
    "fim-code-completion": "fim-autocomplete.yaml",
    "qwen3-thinking": "qwen3-thinking-chat.yaml",
}


def _config(spec_file: str, framework: str) -> tuple[str, list[str]]:
    rec = run(load_spec(str(ROOT / "examples" / spec_file)))
    model = next(c.facts for c in rec.candidates if c.repo_id == rec.repo)
    return render_config(build_plan(rec, model, f"examples/{spec_file}"), framework)


@pytest.fixture(scope="module")
def configs() -> dict[tuple[str, str], tuple[str, list[str]]]:
    return {(name, fw): _config(spec, fw) for name, spec in SPECS.items() for fw in FRAMEWORKS}


# --- the rules' own cases -------------------------------------------------------------------


CASES = [
    (decision, rule["id"], case)
    for decision, rules in config_rules().items()
    for rule in rules
    for case in rule["cases"]
]


@pytest.mark.parametrize(("decision", "rule_id", "case"), CASES, ids=lambda v: str(v)[:40])
def test_config_rule_case(decision, rule_id, case):
    choice = decide(decision, dict(case["facts"]))
    assert (choice.rule, choice.value) == (rule_id, case["value"])


def test_every_config_rule_has_a_case():
    assert all(rule.get("cases") for rules in config_rules().values() for rule in rules)


def test_chat_format_names_exist_in_the_frameworks():
    axolotl = framework_data("axolotl")["chat_template"]["values"]
    lf = framework_data("llamafactory")["templates"]["values"]
    unsloth = framework_data("unsloth")["chat_templates"]["values"]
    trl = framework_data("trl")["training_templates"]["templates"]
    for name, fmt in chat_formats()["formats"].items():
        assert fmt["axolotl"] in axolotl, name
        assert fmt["llamafactory"] in lf, name
        assert fmt.get("llamafactory_nothink", "qwen") in lf, name
        assert fmt.get("unsloth", "chatml") in unsloth, name
        assert fmt.get("trl_template", "qwen2_5") in trl, name


# --- the configs ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_config_matches_golden(configs, name, framework):
    text, _ = configs[name, framework]
    path = GOLDEN / f"{name}.{framework}{SUFFIX[framework]}"
    text = re.sub(r"advisor \S+ \(advisor config\)", "advisor <version> (advisor config)", text)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with ADVISOR_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


@pytest.mark.parametrize("name", SPECS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_key_and_enum_value_exists_in_the_pinned_framework(configs, name, framework):
    text, _ = configs[name, framework]
    assert CHECKS[framework](text) == []


@pytest.mark.parametrize("name", SPECS)
def test_scripts_compile_and_yaml_parses(configs, name, tmp_path):
    for framework in ("trl", "unsloth"):
        path = tmp_path / f"{framework}.py"
        path.write_text(configs[name, framework][0], encoding="utf-8")
        py_compile.compile(str(path), doraise=True)
    for framework in ("trl-cli", "axolotl", "llamafactory"):
        assert isinstance(yaml.safe_load(configs[name, framework][0]), dict)


def test_the_field_check_fails_on_a_field_the_framework_does_not_have(configs):
    axolotl, _ = configs["instruct-lora", "axolotl"]
    assert CHECKS["axolotl"](axolotl + "warmup_ratioo: 0.1\n") == [
        "warmup_ratioo: not an Axolotl field"
    ]
    lf, _ = configs["instruct-lora", "llamafactory"]
    assert CHECKS["llamafactory"](lf.replace('template: "qwen"', 'template: "qwen2.5"'))
    trl, _ = configs["instruct-lora", "trl"]
    # transformers 5 dropped warmup_ratio from TrainingArguments: the pinned data knows.
    assert CHECKS["trl"](trl.replace("logging_steps=10,", "warmup_ratio=0.1,")) == [
        "SFTConfig(warmup_ratio=...): not a parameter"
    ]


def test_instruct_trains_with_its_own_template_and_turn_end(configs):
    axolotl = yaml.safe_load(configs["instruct-lora", "axolotl"][0])
    assert axolotl["chat_template"] == "tokenizer_default"
    assert axolotl["special_tokens"]["eos_token"] == "<|im_end|>"
    assert axolotl["datasets"][0]["roles_to_train"] == ["assistant"]
    assert yaml.safe_load(configs["instruct-lora", "llamafactory"][0])["template"] == "qwen"
    # TRL ships a byte-identical Qwen2.5 training template, so assistant_only_loss is safe.
    assert "assistant_only_loss=True" in configs["instruct-lora", "trl"][0]


def test_llama_pads_with_its_reserved_token_and_masks_prompts_without_generation_markers(
    configs,
):
    trl, _ = configs["instruct-qlora-small-gpu", "trl"]
    assert "pad_token='<|finetune_right_pad_id|>'" in trl
    assert "eos_token='<|eot_id|>'" in trl
    # No byte-identical TRL template for this Llama 3.1 template: never assistant_only_loss.
    assert "assistant_only_loss=True" not in trl
    assert "completion_only_loss=True" in trl and "to_prompt_completion" in trl
    assert "load_in_4bit=True" in trl
    _, warnings = configs["instruct-qlora-small-gpu", "llamafactory"]
    assert any("pad token" in w for w in warnings)


def test_continued_pretraining_has_no_chat_template(configs):
    lf = yaml.safe_load(configs["base-cpt", "llamafactory"][0])
    assert lf["stage"] == "pt" and "template" not in lf and lf["packing"] is True
    axolotl = yaml.safe_load(configs["base-cpt", "axolotl"][0])
    assert axolotl["datasets"][0]["type"] == "completion" and "chat_template" not in axolotl
    assert "dataset_text_field='text'" in configs["base-cpt", "trl"][0]


def test_own_format_on_a_base_model_adds_and_trains_its_tokens(configs):
    axolotl = yaml.safe_load(configs["base-own-format-new-tokens", "axolotl"][0])
    assert axolotl["chat_template"] == "chatml"
    assert axolotl["tokens"] == ["<|im_start|>", "<|im_end|>"]
    lf = yaml.safe_load(configs["base-own-format-new-tokens", "llamafactory"][0])
    assert lf["template"] == "chatml" and lf["resize_vocab"] is True
    assert (
        "model.resize_token_embeddings(len(tokenizer))"
        in configs["base-own-format-new-tokens", "trl"][0]
    )


def test_qwen3_thinking_is_switched_off_deliberately(configs):
    assert yaml.safe_load(configs["qwen3-thinking", "llamafactory"][0])["template"] == (
        "qwen3_nothink"
    )
    axolotl = yaml.safe_load(configs["qwen3-thinking", "axolotl"][0])
    assert axolotl["chat_template_kwargs"] == {"enable_thinking": False}
    assert '"enable_thinking": False' in configs["qwen3-thinking", "trl"][0]


def test_every_setting_comment_names_a_rule_that_exists(configs):
    ids = {rule["id"] for rules in config_rules().values() for rule in rules}
    for text, _ in configs.values():
        named = set(re.findall(r"# ([a-z0-9]+(?:-[a-z0-9]+)+): ", text))
        assert named <= ids | {"pad-not-eos"}, named - ids


# --- the command ----------------------------------------------------------------------------


def test_config_command_writes_the_file_and_prints_the_frameworks_warnings(cli, tmp_path):
    out = tmp_path / "cfg.yaml"
    spec = str(ROOT / "examples" / "small-gpu-qlora.yaml")
    result = cli("config", spec, "--framework", "llamafactory", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(out.read_text())["template"] == "llama3"
    assert "advisor: warning: LLaMA-Factory: the pad token" in result.stderr
    same = cli("recommend", spec, "--emit", "llamafactory")
    assert same.returncode == 0 and same.stdout == out.read_text()


def test_config_for_another_repo_and_a_bad_repo(cli):
    spec = str(ROOT / "examples" / "support-tickets.yaml")
    result = cli("config", spec, "--framework", "axolotl", "--repo", "google/gemma-2-2b-it")
    assert result.returncode == 0, result.stderr
    assert "repo chosen with --repo: google/gemma-2-2b-it" in result.stdout
    assert yaml.safe_load(result.stdout)["special_tokens"]["eos_token"] == "<end_of_turn>"
    bad = cli("config", spec, "--framework", "axolotl", "--repo", "not a repo")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--repo" in bad.stderr


def test_a_config_that_does_not_fit_the_gpu_says_so(cli, tmp_path):
    spec = tmp_path / "big.yaml"
    spec.write_text(
        "task: {description: Classify support tickets}\n"
        "training: {method: full, gpu_memory_gb: 24}\n"
        "models: {candidates: [Qwen/Qwen2.5-7B-Instruct]}\n"
    )
    result = cli("config", str(spec), "--framework", "trl", "--repo", "Qwen/Qwen2.5-7B-Instruct")
    assert result.returncode == 0, result.stderr
    assert "does NOT fit your 24 GB GPU" in result.stdout
    assert "advisor: warning: the memory estimate" in result.stderr


def test_a_config_that_trains_the_embedding_matrices_counts_them_in_its_memory(tmp_path):
    # Own chat format on a base model with LoRA: the new tokens' rows are trained, so the config
    # trains embed_tokens and lm_head in full. Its memory line has to count those matrices (and
    # their gradients and optimizer states), not the adapters-only figure of the recommendation.
    spec = load_spec(str(ROOT / "examples" / "own-alignment.yaml"))
    spec.training.method, spec.training.gpu_memory_gb = "lora", 24
    rec = run(spec)
    model = next(c.facts for c in rec.candidates if c.repo_id == rec.repo)
    plan = build_plan(rec, model, "own-alignment.yaml")
    assert plan.value("embeddings") == "modules_to_save"
    adapters_only = next(c for c in rec.candidates if c.repo_id == rec.repo).memory["lora"]
    assert adapters_only.fits_gpu is True  # 22 GB: what the recommendation alone would say
    from advisor import dims

    matrices = 2 * dims.from_facts(model).embedding_params()  # untied: embed_tokens + lm_head
    header = "\n".join(plan.header)
    assert "embed_tokens and lm_head trained in full" in header
    assert "does NOT fit your 24 GB GPU" in header
    need = float(re.search(r"= ([\d.]+) GB", header.replace("#   ", "").replace("\n", " "))[1])
    # a 16-bit trained copy, its 16-bit gradient and mixed-precision AdamW's 12 bytes
    assert need == pytest.approx(adapters_only.need_gb + matrices * 16 / 1e9, abs=0.2)
    assert any("does not fit your 24 GB GPU" in w for w in plan.warnings)


def test_the_field_check_fails_on_a_value_outside_a_literal_type(configs):
    axolotl, _ = configs["instruct-lora", "axolotl"]
    assert CHECKS["axolotl"](axolotl.replace('train_on_eos: "turn"', 'train_on_eos: "turns"'))
    lf, _ = configs["base-cpt", "llamafactory"]
    assert CHECKS["llamafactory"](lf.replace('stage: "pt"', 'stage: "cpt"')) == [
        "stage 'cpt' is not one of ['pt', 'sft', 'rm', 'ppo', 'dpo', 'kto']"
    ]


def _trl_config(cli, tmp_path, repo: str, spec_text: str):
    """`advisor config SPEC --framework trl --repo REPO` for a spec whose only candidate is REPO."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text + f"models: {{candidates: [{repo}]}}\n")
    result = cli("config", str(spec), "--framework", "trl", "--repo", repo)
    assert result.returncode == 0, result.stderr
    return result


def test_base_chat_training_trains_the_untrained_template_rows_and_keeps_tied_weights_tied(
    cli, tmp_path
):
    result = _trl_config(
        cli,
        tmp_path,
        "Qwen/Qwen2.5-3B",
        "task: {description: Our own SFT and DPO post-training for a support assistant}\n"
        "data: {format: chat, examples: 50000, max_tokens: 2048}\n"
        "training: {own_alignment: true, method: lora, gpu_memory_gb: 24}\n",
    )
    script = result.stdout
    assert "MODEL = 'Qwen/Qwen2.5-3B'" in script
    # The base ships ChatML's tokens but never trained them: their rows, not new tokens.
    assert "trainable_token_indices=tokenizer.convert_tokens_to_ids(FORMAT_TOKENS)" in script
    assert "tokenizer.add_special_tokens" not in script
    assert "chat_template_path='Qwen/Qwen2.5-3B-Instruct'" in script
    assert "ensure_weight_tying=True" in script  # Qwen2.5-3B ties embed_tokens and lm_head
    assert "advisor: warning: tied embeddings" in result.stderr
    assert CHECKS["trl"](script) == []


def test_own_chatml_format_on_qwen_base_trains_its_existing_rows_not_new_tokens(cli, tmp_path):
    # Plain ChatML's <|im_start|> / <|im_end|> are in every Qwen2.5 tokenizer (chat_formats.yaml:
    # qwen2_5 lists the family with those tokens): a custom chat format started from ChatML on
    # Qwen2.5-14B trains those rows; it must not say they are missing and add them again.
    script = _trl_config(
        cli,
        tmp_path,
        "Qwen/Qwen2.5-14B",
        "task: {description: Our own SFT plus DPO with our own chat format for a persona}\n"
        "data: {format: chat, examples: 50000, max_tokens: 4096}\n"
        "training: {method: lora, gpu_memory_gb: 80, own_alignment: true,"
        " custom_chat_format: true}\n",
    ).stdout
    assert "format-own-chatml" in script
    assert "not in this tokenizer" not in script
    assert "tokenizer.add_special_tokens" not in script
    assert "trainable_token_indices=tokenizer.convert_tokens_to_ids(FORMAT_TOKENS)" in script
    assert CHECKS["trl"](script) == []


def test_length_comes_from_the_measured_training_file(cli, tmp_path):
    data = tmp_path / "train.jsonl"
    row = '{"messages": [{"role": "user", "content": "%s"}, {"role": "assistant", "content": "a"}]}'
    data.write_text("\n".join(row % ("word " * n) for n in (10, 400, 40)) + "\n")
    result = cli(
        "config", "--task", "Classify support tickets", "--data", str(data),
        "--framework", "axolotl",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert 400 < config["sequence_len"] < 1000
    assert "(measured in" in result.stdout


# The setting each framework's config names its training sequence length with.
LENGTH_FIELD = {
    "axolotl": r"^sequence_len: (\d+)",
    "llamafactory": r"^cutoff_len: (\d+)",
    "trl": r"max_length=(\d+)",
    "trl-cli": r"^max_length: (\d+)",
    "unsloth": r"max_seq_length=(\d+)",
}


@pytest.mark.parametrize("framework", sorted(LENGTH_FIELD))
def test_the_config_trains_at_the_length_its_memory_line_counted(cli, framework):
    """No length given: the memory line counts 1,024 tokens, and the config said nothing, so
    each framework trained at its own default (LLaMA-Factory's cutoff_len, Unsloth's
    max_seq_length: longer) - the memory figure a user acts on was not the run's."""
    result = cli(
        "config", "--task", "support chatbot, LoRA on a 24GB GPU", "--framework", framework
    )
    assert result.returncode == 0, result.stderr
    header = result.stdout.replace("#   ", "").replace("\n", " ")
    counted = int(re.search(r"seq ([\d,]+)", header)[1].replace(",", ""))
    written = re.search(LENGTH_FIELD[framework], result.stdout, re.M)
    assert written and int(written[1]) == counted
    assert "sequence length" in result.stderr  # said, as the length is an assumption


def test_config_without_a_framework_is_one_line_and_exit_2(cli):
    result = cli("config", str(ROOT / "examples" / "support-tickets.yaml"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--framework" in result.stderr


def test_the_command_offers_every_emitter():
    from advisor.cli import CONFIG_FRAMEWORKS

    assert CONFIG_FRAMEWORKS == FRAMEWORKS


def test_trl_cli_says_what_it_cannot_do(configs):
    text, warnings = configs["base-own-format-new-tokens", "trl-cli"]
    assert "WARNING: the TRL CLI cannot add tokens" in text
    assert any(w.startswith("TRL CLI: new tokens") for w in warnings)
    cli_yaml = yaml.safe_load(configs["instruct-qlora-small-gpu", "trl-cli"][0])
    assert cli_yaml["load_in_4bit"] is True and cli_yaml["completion_only_loss"] is True
    assert cli_yaml["datasets"] == [{"path": "json", "data_files": "train.jsonl", "split": "train"}]
    assert CHECKS["trl-cli"](yaml.safe_dump(cli_yaml | {"lora_rank": 8})) == [
        "lora_rank: not a `trl sft` argument"
    ]


def test_an_instruct_model_of_an_unknown_format_keeps_its_template_and_says_what_is_missing(cli):
    spec = str(ROOT / "examples" / "support-tickets.yaml")
    repo = ["--repo", "allenai/OLMo-2-1124-7B-Instruct"]
    lf = cli("config", spec, "--framework", "llamafactory", *repo)
    assert lf.returncode == 0, lf.stderr
    assert "template" not in yaml.safe_load(lf.stdout)
    assert "warning: LLaMA-Factory: no known template name" in lf.stderr
    assert "no known chat format" not in lf.stderr  # its own tokenizer template is used
    unsloth = cli("config", spec, "--framework", "unsloth", *repo)
    # No turn markers known: TRL's prompt/completion mask instead of train_on_responses_only.
    assert "completion_only_loss=True" in unsloth.stdout
    assert "train_on_responses_only(" not in unsloth.stdout


def test_the_specs_training_settings_reach_every_framework(cli, tmp_path):
    spec = tmp_path / "settings.yaml"
    spec.write_text(
        "task: {description: Classify customer support tickets, kind: classification}\n"
        "data: {format: instruction, max_tokens: 1024}\n"
        "training: {method: lora, gpu_memory_gb: 80, lora_rank: 64, lora_targets: attention,\n"
        "           batch_size: 4, gradient_checkpointing: false}\n"
        "models: {candidates: [Qwen/Qwen2.5-7B-Instruct]}\n"
    )
    result = cli("config", str(spec), "--framework", "axolotl")
    assert result.returncode == 0, result.stderr
    axolotl = yaml.safe_load(result.stdout)
    assert (axolotl["lora_r"], axolotl["lora_alpha"]) == (64, 128)
    assert axolotl["lora_target_modules"] == ["q_proj", "k_proj", "v_proj", "o_proj"]
    assert (axolotl["micro_batch_size"], axolotl["gradient_accumulation_steps"]) == (4, 4)
    assert axolotl["gradient_checkpointing"] is False
    lf = yaml.safe_load(cli("config", str(spec), "--framework", "llamafactory").stdout)
    assert lf["lora_target"] == "q_proj,k_proj,v_proj,o_proj"
    assert lf["disable_gradient_checkpointing"] is True


# --- several GPUs: the sharding the memory estimate assumes ---------------------------------


def _multi_gpu(tmp_path: Path, training: str, framework: str) -> tuple[str, list[str]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "task: {description: support ticket classifier, kind: classification}\n"
        f"training: {{{training}}}\n",
        encoding="utf-8",
    )
    rec = run(load_spec(str(spec)))
    model = next(c.facts for c in rec.candidates if c.repo_id == rec.repo)
    return render_config(build_plan(rec, model, "spec.yaml"), framework)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_several_gpus_get_the_sharding_the_estimate_assumes_or_a_warning(tmp_path, framework):
    fsdp, fsdp_warnings = _multi_gpu(
        tmp_path, "method: full, gpus: 2, gpu_memory_gb: 80", framework
    )
    zero3, zero3_warnings = _multi_gpu(
        tmp_path, "method: lora, gpus: 4, sharding: zero3, gpu_memory_gb: 24", framework
    )
    for text in (fsdp, zero3):
        assert CHECKS[framework](text) == []  # every field exists in the pinned framework
    set_up = {  # what the config itself sets, per sharding; elsewhere a warning says how
        "trl": ("fsdp='full_shard auto_wrap'", None),
        "trl-cli": ('fsdp: "full_shard auto_wrap"', None),
        "axolotl": (None, 'deepspeed: "deepspeed_configs/zero3_bf16.json"'),
        "llamafactory": (None, 'deepspeed: "examples/deepspeed/ds_z3_config.json"'),
        "unsloth": (None, None),
    }[framework]
    for text, warnings, setting, name in (
        (fsdp, fsdp_warnings, set_up[0], "FSDP full shard"),
        (zero3, zero3_warnings, set_up[1], "DeepSpeed ZeRO-3"),
    ):
        if setting:
            assert setting in text
            assert not any("does not set up" in w for w in warnings)
        else:
            assert any(name in w and "does not set up" in w for w in warnings), warnings
            assert "WARNING" in text
    if framework in ("trl", "trl-cli"):
        assert "accelerate launch --num_processes 2" in fsdp
        # The spec counts GPUs, not machines: the run line says how to spread them.
        assert "--num_machines M --machine_rank R" in fsdp


def test_one_gpu_configs_have_no_sharding(configs):
    for (name, framework), (text, warnings) in configs.items():
        assert "fsdp" not in text and "deepspeed:" not in text, (name, framework)
        assert not any("does not set up" in w for w in warnings)


def test_preference_data_gets_no_sft_config(cli, tmp_path):
    # Every emitter writes supervised fine-tuning: chosen/rejected rows need a preference
    # trainer, so the config is refused (one line, exit 2, no file) rather than written wrong,
    # whether the spec says so or a --task sentence does.
    spec = tmp_path / "pref.yaml"
    spec.write_text(
        "task: {description: Align our support assistant}\ndata: {format: preference}\n"
    )
    out = tmp_path / "cfg.py"
    result = cli("config", str(spec), "--framework", "trl", "-o", str(out))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "data.format is preference" in result.stderr and "DPO" in result.stderr
    assert not out.exists()
    read = cli("recommend", "--task", "DPO on 5k chosen/rejected pairs", "--emit", "axolotl")
    assert read.returncode == 2 and "data.format is preference" in read.stderr
