"""GPU memory needed to fine-tune, per method: a stated formula, checked against published figures.

need_gb = params_b * bytes_per_param * (1 + activation_share) + fixed_gb

- full:  16 bytes/param — mixed-precision Adam model states: bf16 weights 2 + bf16 gradients 2 +
         fp32 master weights 4 + Adam moments 8 (ZeRO, Rajbhandari et al. 2019, §3.1; the
         Transformers docs give 18 with fp32 gradients).
- lora:  2 bytes/param for the frozen bf16 weights + 16 bytes for each trainable adapter
         parameter (assumed 0.5% of the model: rank 16 on all linear layers) = 2.08.
- qlora: ~0.55 bytes/param for 4-bit NF4 weights with their quantisation constants and the
         embeddings left in 16 bit, + adapters and their paged optimizer state = 0.64, fitted so
         that LLaMA-65B lands on the QLoRA paper's memory breakdown (45.0 GB of tensors + the
         CUDA context = 46.9 GB, under its "one 48 GB GPU" headline; 0.68 gave 49.6 GB, which
         would have failed that very setup). Small models are under-estimated by ~15% (7B):
         r=64 adapters on every linear layer are a bigger share of a small model.
Activations: 10% on top with gradient checkpointing and short sequences, plus 1 GB for the CUDA
context and kernels (the Transformers docs measured 1.3 GB). Batch size 1; long sequences and
bigger batches need more, and multi-GPU sharding (FSDP/ZeRO) divides the model states.
"""

from __future__ import annotations

from dataclasses import dataclass

BYTES_PER_PARAM = {"full": 16.0, "lora": 2.08, "qlora": 0.64}
ACTIVATION_SHARE = 0.10
FIXED_GB = 1.0
FORMULA = "need_gb = params_b x bytes_per_param x (1 + activation_share) + fixed_gb"
# What each method's bytes per parameter stand for (shown in reports beside the numbers).
BYTES_BASIS = {
    "full": "mixed-precision Adam: bf16 weights 2 + bf16 gradients 2 + fp32 master weights 4 + "
    "Adam moments 8",
    "lora": "frozen bf16 weights 2 + 16 bytes for each adapter parameter (0.5% of the model: "
    "rank 16 on all linear layers)",
    "qlora": "4-bit NF4 weights with quantisation constants and 16-bit embeddings (~0.55) + "
    "adapters and their paged optimizer state",
}
ASSUMPTIONS = [
    "batch size 1, short sequences (about 512 tokens), gradient checkpointing on",
    f"activations add {ACTIVATION_SHARE:.0%} on top of the model states",
    f"{FIXED_GB:g} GB for the CUDA context and kernels",
    "one GPU: multi-GPU sharding (FSDP / ZeRO) divides the model states across GPUs",
    "long sequences and bigger batches need more; 8-bit optimizers and CPU offload need less",
]
REFERENCES = [
    "ZeRO: Rajbhandari et al. 2019, arXiv:1910.02054, §3.1 "
    "(16 bytes/param for mixed-precision Adam)",
    "Hugging Face Transformers docs, 'Model training anatomy' "
    "(18 bytes/param; 1.3 GB CUDA context)",
    "LoRA: Hu et al. 2021, arXiv:2106.09685, §4.2 (GPT-3 175B: 1.2 TB -> 350 GB)",
    "QLoRA: Dettmers et al. 2023, arXiv:2305.14314 (65B on one 48 GB GPU; memory breakdown figure)",
]


@dataclass(frozen=True)
class MemoryEstimate:
    method: str
    params_b: float
    need_gb: float
    formula: str


def estimate(params_b: float, method: str) -> MemoryEstimate:
    per_param = BYTES_PER_PARAM[method]
    states = params_b * per_param
    need = states * (1 + ACTIVATION_SHARE) + FIXED_GB
    formula = (
        f"{params_b:.2f}B params x {per_param:g} bytes ({method}) = {states:.1f} GB"
        f" x {1 + ACTIVATION_SHARE:g} activations + {FIXED_GB:g} GB CUDA = {need:.1f} GB"
    )
    return MemoryEstimate(method, params_b, round(need, 1), formula)


def estimate_all(params_b: float) -> dict[str, MemoryEstimate]:
    return {method: estimate(params_b, method) for method in BYTES_PER_PARAM}
