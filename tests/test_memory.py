"""The memory model of a training step: calibrated on measured runs, growing with what grows,
and fixes that never repeat what the user already chose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor import dims
from advisor.cli import OPTIMIZER_NAMES
from advisor.memory import OPTIMIZERS, TrainingSetup, estimate
from advisor.memory.calibration import load_runs, summarise
from advisor.memory.fit import assess
from advisor.memory.settings import parse_targets
from advisor.sources import catalog
from advisor.spec import Optimizer

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "memory-measured.yaml"


def runs():
    return load_runs(DATA / "memory-measured.yaml", DATA / "memory-run-settings.yaml")


def qwen7b() -> dims.Dims:
    return dims.from_facts(catalog.lookup("Qwen/Qwen2.5-7B-Instruct"))


def test_bench_copy_is_the_shared_calibration_set():
    if not SHARED.exists():
        pytest.skip("no shared/data beside this checkout")
    assert (DATA / "memory-measured.yaml").read_text() == SHARED.read_text()


@pytest.mark.parametrize("method", ["full", "lora", "qlora"])
def test_measured_runs_median_ratio_and_share_within_25_percent(method):
    [summary] = [s for s in summarise(runs()) if s.method == method]
    assert summary.runs >= 3
    assert 0.9 <= summary.median <= 1.1, summary
    assert summary.within_25 >= 0.8, summary


def test_every_measured_run_is_within_25_percent():
    """A user acts on one model's number, not on a median: no measured run may drift out of
    +-25% unnoticed (today the widest are 1.23 and 0.86)."""
    outside = [(r.id, round(r.ratio, 2)) for r in runs() if not 0.75 <= r.ratio <= 1.25]
    assert outside == []


def test_every_measured_run_gets_an_estimate_from_its_settings():
    table = runs()
    assert len(table) == 37
    by_id = {r.id: r for r in table}
    # Settings from the scripts: Qwen's LoRA is rank 64 on every linear layer, litgpt's r 8 on q, v.
    assert by_id["qwen1-7b-lora-seq256"].estimate.setup.lora_rank == 64
    assert by_id["litgpt-phi-1.5-none-mb1"].estimate.setup.lora_targets == ("q_proj", "v_proj")
    # Multi-GPU rows are compared summed over GPUs, as they were reported.
    full = by_id["qwen1-7b-full-2gpu-seq256"]
    assert full.estimated_gb == pytest.approx(full.estimate.per_gpu_gb * 2, abs=0.1)


def test_full_fine_tuning_model_states_are_16_bytes_per_param():
    est = estimate(qwen7b(), TrainingSetup(method="full"))
    states = est.component("weights") + est.component("gradients") + est.component("optimizer")
    assert states == pytest.approx(16 * qwen7b().params() / 1e9, rel=1e-6)


def test_lora_adapters_use_real_shapes_with_gqa():
    shape = qwen7b()
    est = estimate(shape, TrainingSetup(method="lora", lora_rank=16))
    # 28 layers x 16 x [(3584+3584) q + 2 x (3584+512) k/v + (3584+3584) o + 3 x (3584+18944)]
    per_layer = 16 * (2 * 7168 + 2 * 4096 + 3 * 22528)
    assert est.trainable_params == 28 * per_layer
    only_qv = estimate(shape, TrainingSetup(method="lora", lora_targets=parse_targets("q,v")))
    assert only_qv.trainable_params == 28 * 16 * (7168 + 4096)


def test_memory_grows_with_sequence_length_and_micro_batch():
    shape, base = qwen7b(), TrainingSetup(method="lora", seq_len=2048)
    short = estimate(shape, base).per_gpu_gb
    assert estimate(shape, base.but(seq_len=8192)).per_gpu_gb > short
    assert estimate(shape, base.but(batch_size=4)).per_gpu_gb > short
    ckpt_off = estimate(shape, base.but(gradient_checkpointing=False))
    assert ckpt_off.component("activations") > 5 * estimate(shape, base).component("activations")


def test_qlora_32k_tokens_on_24gb_does_not_fit_and_never_suggests_qlora():
    # The case: 32k tokens x 152k vocabulary of fp32 logits alone are ~19.5 GB.
    setup = TrainingSetup(method="qlora", seq_len=32000)
    est = estimate(qwen7b(), setup)
    assert est.component("logits") > 19
    fit = assess(qwen7b(), setup, 24.0, est)
    assert fit.verdict == "does not fit"
    assert fit.fixes and all("QLoRA" not in f.change for f in fit.fixes)
    assert all(f.per_gpu_gb <= 24 for f in fit.fixes)
    assert fit.largest_seq_len and fit.largest_seq_len < 32000


def test_fixes_name_only_changes_not_already_made():
    shape = qwen7b()
    off = TrainingSetup(method="lora", seq_len=8192, gradient_checkpointing=False)
    changes = [f.change for f in assess(shape, off, 40.0).fixes]
    assert "gradient checkpointing" in changes
    on = off.but(gradient_checkpointing=True, optimizer="paged-adamw-8bit")
    changes = [f.change for f in assess(shape, on, 24.0).fixes]
    assert "gradient checkpointing" not in changes
    assert not any("8-bit" in c for c in changes)


def test_sharding_divides_model_states_per_gpu():
    shape, full = qwen7b(), TrainingSetup(method="full")
    ddp = estimate(shape, full.but(gpus=4, sharding="ddp"))
    zero2 = estimate(shape, full.but(gpus=4, sharding="zero2"))
    fsdp = estimate(shape, full.but(gpus=4, sharding="fsdp"))
    assert ddp.per_gpu_gb > zero2.per_gpu_gb > fsdp.per_gpu_gb
    assert fsdp.total_gb == pytest.approx(fsdp.per_gpu_gb * 4, abs=0.2)


def test_moe_keeps_every_expert_resident_but_activates_few():
    moe = dims.from_facts(catalog.lookup("Qwen/Qwen3-30B-A3B"))
    est = estimate(moe, TrainingSetup(method="lora", gradient_checkpointing=False))
    assert est.component("weights") > 2 * 30  # all 30.5B parameters in bf16
    dense_like = moe._replace(experts_per_tok=moe.experts)
    assert estimate(dense_like, est.setup).component("activations") > 5 * est.component(
        "activations"
    )


def test_optimizer_names_agree_across_spec_cli_and_model():
    assert set(OPTIMIZERS) == {o.value for o in Optimizer} == set(OPTIMIZER_NAMES)


def test_memory_command_json_has_every_component(cli):
    result = cli(
        "memory", "Qwen/Qwen2.5-7B-Instruct", "--method", "lora", "--seq-len", "8192",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["components"]) == {
        "weights", "gradients", "optimizer", "activations", "logits", "overhead"
    }  # fmt: skip
    assert report["total_gb"] == report["per_gpu_gb"]
    assert any("LoRA rank 16: assumed" in a for a in report["assumptions"])
    assert any("2205.05198" in r for r in report["references"])
    shorter = json.loads(
        cli("memory", "Qwen/Qwen2.5-7B-Instruct", "--seq-len", "4096", "--format", "json").stdout
    )
    bigger = json.loads(
        cli(
            "memory", "Qwen/Qwen2.5-7B-Instruct", "--seq-len", "8192", "--batch-size", "2",
            "--format", "json",
        ).stdout
    )  # fmt: skip
    assert shorter["total_gb"] < report["total_gb"] < bigger["total_gb"]


def test_memory_command_fit_and_fix_text(cli):
    result = cli(
        "memory", "Qwen/Qwen2.5-7B-Instruct", "--method", "qlora", "--seq-len", "32000",
        "--gpu-memory-gb", "24",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "On a 24 GB GPU: does not fit" in result.stdout
    [fix] = [line for line in result.stdout.splitlines() if "would fit with:" in line]
    assert "QLoRA" not in fix and "sequences up to" in fix


def test_memory_command_reads_a_local_folder(cli, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    config = Path(__file__).parent / "fixtures" / "hub" / "qwen2.5-0.5b-instruct.config.json"
    (folder / "config.json").write_text(config.read_text())
    result = cli("memory", str(folder), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dimensions_from"] == "config.json" and not report["partial"]


def test_memory_command_bad_targets_is_one_line(cli):
    result = cli("memory", "Qwen/Qwen2.5-7B-Instruct", "--lora-targets", "q,bogus")
    assert result.returncode == 2
    assert "bogus" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_recommend_over_budget_fix_is_not_the_chosen_method(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "task: {description: Summarise long legal contracts into plain-language notes.}\n"
        "data: {max_tokens: 32000}\n"
        "training: {method: qlora, gpu_memory_gb: 24}\n"
        "models: {candidates: [Qwen/Qwen2.5-7B-Instruct]}\n"
    )
    result = cli("recommend", str(spec), "--format", "json")
    report = json.loads(result.stdout)
    [cand] = [c for c in report["candidates"] if c["repo_id"] == "Qwen/Qwen2.5-7B-Instruct"]
    [check] = [c for c in cand["checks"] if c["rule"] == "memory-over-budget"]
    assert check["status"] == "fail"
    assert "would fit with" in check["message"] and "QLoRA" not in check["message"]
    assert cand["memory"]["qlora"]["components"]["logits"] > 19


def test_spec_memory_settings_are_validated_and_used(cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    body = (
        "task: {description: Classify support tickets into 12 categories.}\n"
        "data: {max_tokens: 4096}\n"
        "training: {method: lora, gpu_memory_gb: 80, batch_size: 4, lora_rank: 64,\n"
        "           lora_targets: 'q,v', optimizer: adamw-8bit, gradient_checkpointing: false}\n"
        "models: {candidates: [Qwen/Qwen2.5-7B-Instruct]}\n"
    )
    spec.write_text(body)
    report = json.loads(cli("recommend", str(spec), "--format", "json").stdout)
    settings = report["memory_model"]["settings"]
    assert settings["batch_size"] == 4 and settings["lora_rank"] == 64
    assert (
        settings["lora_targets"] == ["q_proj", "v_proj"] and not settings["gradient_checkpointing"]
    )
    assert not any(
        "micro-batch 1 per GPU: assumed" in a for a in report["memory_model"]["assumptions"]
    )
    spec.write_text(body.replace("'q,v'", "'q,nope'"))
    bad = cli("recommend", str(spec))
    assert bad.returncode == 2 and "nope" in bad.stderr and bad.stderr.count("\n") == 1


def test_html_chart_stacks_the_terms_per_method(cli, tmp_path):
    out = tmp_path / "r.html"
    spec = Path(__file__).parent / "fixtures" / "specs" / "support-tickets.yaml"
    result = cli("report", str(spec), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    for term in ("weights", "optimizer", "activations", "logits", "overhead"):
        assert f"<title>LoRA {term}: " in html
    assert "your GPU: 24 GB" in html


def _bisected(model: dims.Dims, setup: TrainingSetup, gpu_gb: float, name: str, cap: int):
    """The plain bisection the fit search must agree with, value for value."""

    def fits(n: int) -> bool:
        return estimate(model, setup.but(**{name: n})).per_gpu_gb <= gpu_gb

    if not fits(1):
        return None
    if fits(cap):
        return cap
    lo, hi = 1, cap
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def test_the_largest_sequence_and_batch_are_exactly_what_bisection_finds():
    """Every catalogued model with dimensions, each method, several GPUs: the interpolating
    search gives the same largest sequence length and micro-batch as a plain bisection."""
    from advisor.memory.fit import MAX_SEARCH_BATCH, MAX_SEARCH_SEQ, _largest

    models = [dims.from_facts(catalog.lookup(repo)) for repo in catalog.repo_ids()]
    models = [m for m in models if m is not None and m.layers]
    assert len(models) > 50
    checked = found = 0
    for model in models[::3]:
        for method in ("full", "lora", "qlora"):
            for gpu_gb in (12.0, 24.0, 80.0):
                setup = TrainingSetup(method=method, gradient_checkpointing=method != "full")
                for name, cap in (("seq_len", MAX_SEARCH_SEQ), ("batch_size", MAX_SEARCH_BATCH)):
                    expected = _bisected(model, setup, gpu_gb, name, cap)
                    assert _largest(model, setup, gpu_gb, name, cap) == expected, (
                        model.params(),
                        method,
                        gpu_gb,
                        name,
                    )
                    checked += 1
                    found += expected not in (None, cap)
    assert found > checked // 4  # most cases have a real edge to find, not None or the cap


def test_fsdp_qlora_gathers_layers_at_their_4bit_size():
    # FSDP-QLoRA shards and all-gathers the packed 4-bit storage (bnb_4bit_quant_storage,
    # bitsandbytes docs 'FSDP-QLoRA'): two gathered layers of Llama-3.1-70B are ~0.9 GB in
    # NF4, not the 3.4 GB of two bf16 layers.
    shape = dims.from_facts(catalog.lookup("meta-llama/Llama-3.1-70B"))
    qlora = TrainingSetup(method="qlora", seq_len=512, lora_rank=8, gpus=2, sharding="fsdp")
    one_gpu = estimate(shape, qlora.but(gpus=1)).component("weights")
    sharded = estimate(shape, qlora).component("weights")
    layer = shape.layer_params()
    gathered = sharded - one_gpu / 2
    assert gathered == pytest.approx(2 * layer * 4.127 / 8 / 1e9, rel=0.05)
    # Full / LoRA weights are gathered at bf16, as before.
    lora = qlora.but(method="lora")
    gathered_bf16 = (
        estimate(shape, lora).component("weights")
        - estimate(shape, lora.but(gpus=1)).component("weights") / 2
    )
    assert gathered_bf16 == pytest.approx(2 * layer * 2 / 1e9, rel=0.01)
