"""The memory formula against published figures (copied from shared/data/memory-figures.yaml).

Only figures whose precision matches the formula's assumptions are used: mixed-precision (or
fp32) Adam for full fine-tuning, 16-bit frozen weights for LoRA, NF4 + paged optimizer for
QLoRA, batch size 1 or unstated. Not used, and why: the LoRA paper's GPT-3 full figure (1.2 TB =
~7 bytes/param, a sharded setup the formula does not model), PEFT's LoRA rows (fp32 weights),
axolotl's (8-bit base), and FSDP multi-GPU rows (per-GPU sharding).

Tolerance: 15% either way for a single measured or published total (a linear rule of thumb vs
one run's batch, sequence length and allocator), 20% for the QLoRA appendix figure, whose bars
were transcribed from a chart by a third party (confidence: secondary_transcription) and which
the linear formula under-estimates for small models (r=64 adapters on every linear layer are a
bigger share of a 7B model). Bounds ("more than", "fits on") are checked as bounds.
"""

from __future__ import annotations

import pytest

from advisor.memory import ACTIVATION_SHARE, BYTES_PER_PARAM, FIXED_GB, estimate, estimate_all

# (figure id from memory-figures.yaml, params in billions, method, published GB)
MEASURED_TOTALS = [
    # PEFT README: T0_3B full fine-tuning, GPU peak on one A100 80GB.
    ("peft-T0_3B-full", 3.0, "full", 47.14, 0.15),
    # QLoRA paper appendix, 'Breakdown of the memory footprint of different LLaMA models'
    # (batch 1, seq 512, NF4 + DQ, paged AdamW), bars summed by a third-party transcription.
    ("qlora-paper-fig-llama7b", 6.7, "qlora", 6.9, 0.20),
    ("qlora-paper-fig-llama13b", 13.0, "qlora", 11.3, 0.20),
    ("qlora-paper-fig-llama33b", 32.5, "qlora", 24.7, 0.20),
    ("qlora-paper-fig-llama65b", 65.2, "qlora", 45.0, 0.20),
]


@pytest.mark.parametrize(
    "figure, params_b, method, published_gb, tolerance",
    MEASURED_TOTALS,
    ids=[row[0] for row in MEASURED_TOTALS],
)
def test_estimate_is_within_tolerance_of_published_total(
    figure, params_b, method, published_gb, tolerance
):
    need = estimate(params_b, method).need_gb
    assert abs(need - published_gb) / published_gb <= tolerance, (figure, need, published_gb)


def test_qlora_65b_fits_one_48gb_gpu():
    # qlora-paper-65b-qlora: "finetune a 65B parameter model on a single 48GB GPU" (abstract);
    # hf-blog-4bit-65b-qlora phrases it as a 46 GB GPU. An upper bound: the estimate must fit.
    assert estimate(65, "qlora").need_gb <= 48
    assert estimate(65, "qlora").need_gb == pytest.approx(46, rel=0.05)


def test_full_16bit_65b_needs_more_than_780gb():
    # qlora-paper-65b-full16: "regular 16-bit finetuning of a LLaMA 65B ... more than 780 GB".
    assert estimate(65, "full").need_gb > 780


def test_full_model_states_are_zero_16_bytes_per_param():
    # rule-zero-16B: 2 (fp16 params) + 2 (fp16 grads) + 12 (fp32 master + Adam m, v).
    assert BYTES_PER_PARAM["full"] == 16
    # zero-gpt2-1.5b: model states of GPT-2 1.5B are "at least 24 GB".
    states = 1.5 * BYTES_PER_PARAM["full"]
    assert states == pytest.approx(24)
    assert estimate(1.5, "full").need_gb >= 24


def test_lora_gpt3_175b_is_about_its_16bit_weights():
    # lora-paper-gpt3-lora: "from 1.2TB to 350GB" on GPT-3 175B (r=4, Wq and Wv): the frozen
    # fp16 weights. The estimate adds adapters and activations, so it may not be lower, and
    # stays within 15% above.
    need = estimate(175, "lora").need_gb
    assert 350 <= need <= 350 * 1.15


def test_formula_is_the_one_the_report_states():
    est = estimate(8.0, "lora")
    expected = 8.0 * BYTES_PER_PARAM["lora"] * (1 + ACTIVATION_SHARE) + FIXED_GB
    assert est.need_gb == pytest.approx(expected, abs=0.05)
    assert f"{est.need_gb:.1f} GB" in est.formula


def test_methods_order_full_over_lora_over_qlora():
    table = estimate_all(7.0)
    assert table["full"].need_gb > table["lora"].need_gb > table["qlora"].need_gb
