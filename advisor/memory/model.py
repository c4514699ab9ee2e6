"""GPU memory of one training step, term by term, from the model's dimensions and the settings.

    per GPU = weights + gradients + optimizer states + activations + logits + framework overhead

Every term is a count of stored values times their bytes:
- weights: 2 bytes (bf16) per parameter; for QLoRA the linear layers in 4-bit NF4 (with or
  without double quantisation), embeddings, lm_head and norms kept in 16 bits; a tied lm_head is
  the embedding matrix, counted once. MoE: every expert's weights are resident.
- gradients + optimizer: per trainable parameter, a gradient in the weight's dtype and the
  optimizer's state (settings.OPTIMIZERS). Full: every parameter, bf16 weights (16 bytes/param
  with mixed-precision AdamW, as ZeRO counts it). LoRA: r x (in + out) for each targeted
  projection of each layer, with the real shapes (k/v narrower under GQA; each MoE expert has
  its own), in fp32 (PEFT's autocast_adapter_dtype) unless the optimizer is pure bf16; plus
  modules_to_save copies (the original stays frozen beside the trained copy).
- activations, per token and layer, 16-bit values saved for the backward pass (Korthikanti et
  al. 2022, arXiv:2205.05198 §4.1, 34sbh + 5as²b): with FlashAttention (Dao et al. 2022,
  arXiv:2205.14135) no s² term, without dropout no masks (34 -> 32 sbh for a GPT MLP),
  K/V at their GQA width and a gated MLP's four I-wide tensors. Per layer and token:
      2h (attention norm input) + 2h (q/k/v input) + 2q + 4kv (Q, K, V) + 2q (o_proj input)
      + 2h (MLP norm input) + 2h (MLP input) + 8I gated | 4I plain (x experts per token).
  With gradient checkpointing only each layer's input (2h) is kept (Korthikanti §5, "2sbhL"),
  plus one layer recomputed during the backward pass; that recomputation starts after the
  logits are freed, so it counts only where it is larger than them.
- logits and loss: batch x seq x vocab values: bf16 logits 2 + their fp32 upcast 4 + its
  gradient 4 + the bf16 gradient 2 = 12 bytes (transformers' ForCausalLMLoss upcasts to fp32);
  chunked cross-entropy keeps 16-bit logits and their gradient only (4); fused linear
  cross-entropy never materialises them.
- framework overhead: 1 GB per GPU for the CUDA context, cuBLAS/cuDNN workspaces and kernels
  (the Transformers docs' 'Model training anatomy' measured 1.3 GB of kernels on a V100-era
  setup); allocator fragmentation is not modelled.
Multi-GPU: per GPU under DDP / ZeRO-2 / ZeRO-3 / FSDP (settings.SHARDING); the total is per GPU
x GPUs. ZeRO-3 / FSDP also hold two gathered layers, at their stored size: 16-bit, or for QLoRA
the packed 4-bit storage FSDP shards (bitsandbytes docs, FSDP-QLoRA:
https://huggingface.co/docs/bitsandbytes/fsdp_qlora, bnb_4bit_quant_storage).
GB here are 10^9 bytes.
"""

from functools import lru_cache
from typing import Any, NamedTuple

from advisor.dims import Dims
from advisor.memory.settings import LOSSES, OPTIMIZERS, QUANT_BITS, SHARDING, TrainingSetup

GB = 1e9
BF16 = 2  # bytes per 16-bit value
FP32 = 4
OVERHEAD_GB = 1.0  # CUDA context + workspaces per GPU (see the module docstring)
LOSS_BYTES = {"standard": BF16 + FP32 + FP32 + BF16, "chunked": BF16 + BF16, "fused": 0}

REFERENCES = [
    "Korthikanti et al. 2022, Reducing Activation Recomputation in Large Transformer Models, "
    "arXiv:2205.05198, §4.1 (activations 34sbh + 5as²b per layer) and §5 (recomputation 2sbhL)",
    "Dao et al. 2022, FlashAttention, arXiv:2205.14135 (no s² attention matrix is stored)",
    "Rajbhandari et al. 2019, ZeRO, arXiv:1910.02054, §3.1 (16 bytes/param for mixed-precision "
    "Adam) and §5 (ZeRO-2 / ZeRO-3 partitioning)",
    "Dettmers et al. 2023, QLoRA, arXiv:2305.14314, §3 (NF4, double quantisation 0.127 "
    "bits/param, paged optimizers)",
    "Dettmers et al. 2021, 8-bit Optimizers via Block-wise Quantization, arXiv:2110.02861",
    "Hu et al. 2021, LoRA, arXiv:2106.09685 (r x (d_in + d_out) parameters per adapted matrix)",
    "Hugging Face Transformers docs, Model training anatomy: "
    "https://huggingface.co/docs/transformers/model_memory_anatomy (CUDA kernels ~1.3 GB)",
]
# What each component counts, for the report's formula section (numbers come per candidate).
TERMS = {
    "weights": "parameters x 2 bytes (bf16); QLoRA: linear layers in NF4 (4.127 bits with double "
    "quantisation, 4.5 without), embeddings / lm_head / norms in 16 bits; + LoRA adapters",
    "gradients": "trainable parameters x the bytes of their dtype (2 bf16, 4 for fp32 adapters)",
    "optimizer": "trainable parameters x optimizer state (mixed-precision AdamW: fp32 master + m + "
    "v = 12 bytes, so 16 per parameter with weights and gradients; 8-bit AdamW 2; pure bf16 4)",
    "activations": "micro-batch x seq len x per layer and token (8h + 4q + 4kv + 8I gated / 4I, "
    "16-bit; Korthikanti et al. 2022 with FlashAttention and no dropout) x layers; with "
    "gradient checkpointing 2h x layers + one recomputed layer beyond the logits",
    "logits": "micro-batch x seq len x vocab x 12 bytes (bf16 logits, fp32 upcast, its gradient, "
    "bf16 gradient); 4 with chunked cross-entropy, 0 fused",
    "overhead": f"{OVERHEAD_GB:g} GB per GPU: CUDA context, cuBLAS/cuDNN workspaces, kernels",
}
CONSTANT_NOTES = [
    "GB = 10^9 bytes; bytes per value are physical sizes (bf16 2, fp32 4, NF4 4 bits + constants)",
    f"framework overhead {OVERHEAD_GB:g} GB per GPU; allocator fragmentation not modelled",
    "multi-GPU: per GPU under DDP (all replicated), ZeRO-2 (gradients + optimizer split), "
    "ZeRO-3 / FSDP (weights too, plus two gathered layers); total = per GPU x GPUs",
    "MoE: all experts' weights resident; activations for the experts each token is routed to",
]
FORMULA = (
    "per GPU = weights + gradients + optimizer states + activations (per token and layer x "
    "micro-batch x seq len) + logits (micro-batch x seq len x vocab) + framework overhead"
)


class Component(NamedTuple):
    """One part of the memory estimate (weights, gradients, ...) and its formula."""

    name: str
    gb: float
    formula: str


class MemoryEstimate(NamedTuple):
    """Memory for one training setup, part by part, with the assumptions made."""

    setup: TrainingSetup
    components: tuple[Component, ...]
    trainable_params: int
    params: int
    assumptions: tuple[str, ...] = ()
    partial: bool = False  # dimensions unknown: activations and logits not counted

    @property
    def per_gpu_gb(self) -> float:
        return round(sum(c.gb for c in self.components), 1)

    @property
    def total_gb(self) -> float:
        return round(sum(c.gb for c in self.components) * self.setup.gpus, 1)

    def component(self, name: str) -> float:
        return next(c.gb for c in self.components if c.name == name)

    def formula(self) -> str:
        """One line with this estimate's numbers, term by term."""
        terms = " + ".join(f"{c.name} {c.gb:.1f}" for c in self.components)
        where = f" per GPU x {self.setup.gpus}" if self.setup.gpus > 1 else ""
        return (
            f"{terms} = {self.per_gpu_gb:g} GB{where} ({self.setup.method}, seq "
            f"{self.setup.seq_len:,}, micro-batch {self.setup.batch_size})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.setup.method,
            "total_gb": self.total_gb,
            "per_gpu_gb": self.per_gpu_gb,
            "gpus": self.setup.gpus,
            "components": {c.name: round(c.gb, 2) for c in self.components},
            "terms": {c.name: c.formula for c in self.components},
            "partial": self.partial,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "settings": self.setup.settings(),
            "formula": FORMULA,
            "assumptions": list(self.setup.assumptions) + list(self.assumptions),
            "references": list(REFERENCES),
        }


def _module_params(dims: Dims, modules: tuple[str, ...]) -> int:
    count = 0
    if "embed_tokens" in modules:
        count += dims.embedding_params()
    if "lm_head" in modules and not (dims.tied and "embed_tokens" in modules):
        count += dims.embedding_params()
    return count


def adapter_params(dims: Dims, setup: TrainingSetup) -> int:
    """LoRA: r x (in + out) per targeted projection per layer (per expert for MLP targets)."""
    mlp = dims.mlp_shapes()
    # a plain MLP has no gate projection: targeting it adds nothing
    shapes = {"gate_proj": (0, 0), **dims.attention_shapes(), **mlp}
    per_layer = sum(
        setup.lora_rank * sum(shapes[name]) * (dims.experts if name in mlp else 1)
        for name in setup.lora_targets
    )
    return dims.layers * per_layer


def activation_bytes_per_token(dims: Dims) -> tuple[int, str]:
    """16-bit values one layer saves for backward, per token (see the module docstring)."""
    h, q, kv, inter = dims.hidden, dims.q_width, dims.kv_width, dims.intermediate
    mlp = (8 if dims.gated_mlp else 4) * inter * dims.experts_per_tok
    total = 8 * h + 4 * q + 4 * kv + mlp
    gate = "8I gated" if dims.gated_mlp else "4I"
    experts = f" x {dims.experts_per_tok} active experts" if dims.is_moe else ""
    return total, f"8h + 4q + 4kv + {gate}{experts} = {total:,} bytes"


# Dims, TrainingSetup and MemoryEstimate are immutable (NamedTuples of plain values), so one
# estimate can serve every caller that asks again: the fit searches of a run probe the same
# setups many times (192 calls, 87 distinct, for the default candidates of support-tickets).
@lru_cache(maxsize=4096)
def estimate(dims: Dims, setup: TrainingSetup) -> MemoryEstimate:
    """The memory of one training step for these dimensions and settings (the one entry point)."""
    params = dims.params()
    gpus = max(setup.gpus, 1)
    sharding = setup.sharding if gpus > 1 else "ddp"
    split_states = gpus if sharding != "ddp" else 1
    split_weights = gpus if sharding in ("zero3", "fsdp") else 1
    optimizer = OPTIMIZERS[setup.optimizer]
    notes: list[str] = list(dims.assumptions)

    # Weights, as stored: 16-bit, or under QLoRA the linear layers packed to `bits` per weight
    # (the whole model here, one gathered layer below).
    bits = QUANT_BITS[setup.quant] if setup.method == "qlora" else None

    def stored(linear: int, total: int) -> float:
        return total * BF16 if bits is None else linear * bits / 8 + (total - linear) * BF16

    saved = _module_params(dims, setup.modules_to_save) if setup.method != "full" else 0
    linear = dims.layers * dims.linear_params()
    weights = stored(linear, params)
    if bits is not None:
        weight_text = (
            f"{linear / 1e9:.2f}B linear-layer params x {bits:.3f} bits ({setup.quant}) + "
            f"{(params - linear) / 1e9:.2f}B embeddings/lm_head/norms x 2 bytes"
        )
    else:
        weight_text = f"{params / 1e9:.2f}B params x 2 bytes (bf16)"
    if saved:
        weights += saved * BF16
        weight_text += f" + trained copies of {', '.join(setup.modules_to_save)} x 2 bytes"
    if split_weights > 1:
        # ZeRO-3 / FSDP gather one layer at a time, and prefetch the next: two layers in full.
        # Under QLoRA what is sharded and gathered is the packed 4-bit storage
        # (bnb_4bit_quant_storage: bitsandbytes docs 'FSDP-QLoRA'), so a gathered layer is its
        # quantised size, not its 16-bit one.
        weights = weights / split_weights + 2 * stored(dims.linear_params(), dims.layer_params())
        weight_text += f" / {gpus} GPUs + 2 gathered layers"

    # Trainable parameters: gradients and optimizer state. `trained` is what trains in wbytes:
    # every weight (full, bf16) or the adapters; modules_to_save copies are 16-bit.
    if setup.method == "full":
        trained, wbytes = params, BF16
        extra = 0  # the trained weights are the weights above
        train_text = f"{params / 1e9:.2f}B trainable"
    else:
        trained = adapter_params(dims, setup)
        wbytes = BF16 if setup.optimizer == "adamw-bf16" else FP32
        extra = trained * wbytes  # the adapter weights themselves
        train_text = (
            f"{trained / 1e6:.1f}M adapter params (rank {setup.lora_rank} on "
            f"{', '.join(setup.lora_targets)} x {dims.layers} layers)"
            + (f" + {saved / 1e6:.0f}M in {', '.join(setup.modules_to_save)}" if saved else "")
        )
    trainable = trained + saved
    moment = optimizer.moment_bytes
    master = FP32 if optimizer.fp32_master and wbytes == BF16 else 0
    saved_master = FP32 if optimizer.fp32_master else 0
    grads = (trained * wbytes + saved * BF16) / split_states
    states = (trained * (moment + master) + saved * (moment + saved_master)) / split_states
    if extra:
        weights += extra / split_weights
        weight_text += f" + adapters x {wbytes} bytes"
    grad_text = f"{train_text} x {wbytes} bytes"
    state_text = f"{train_text} x {moment + master} bytes ({optimizer.about})"
    if optimizer.fp32_master and not master:  # only adapters train in fp32
        state_text += "; fp32 adapters need no master copy"
    if split_states > 1:
        grad_text += f" / {gpus} GPUs ({sharding})"
        state_text += f" / {gpus} GPUs ({sharding})"

    # Activations and logits.
    tokens = setup.batch_size * setup.seq_len
    per_layer, layer_text = activation_bytes_per_token(dims)
    logits = tokens * dims.vocab * LOSS_BYTES[setup.loss]
    if setup.gradient_checkpointing:
        kept = tokens * 2 * dims.hidden * dims.layers
        recompute = tokens * per_layer
        activations = kept + max(0, recompute - logits)
        act_text = (
            f"checkpointed: {tokens:,} tokens x 2h x {dims.layers} layers + one recomputed "
            f"layer beyond the logits ({layer_text} per token)"
        )
    else:
        activations = tokens * per_layer * dims.layers
        act_text = f"{tokens:,} tokens x {dims.layers} layers x ({layer_text})"
    logit_text = (
        f"{tokens:,} tokens x {dims.vocab:,} vocab x {LOSS_BYTES[setup.loss]} bytes "
        f"({LOSSES[setup.loss]})"
    )
    components = (
        Component("weights", weights / GB, weight_text),
        Component("gradients", grads / GB, grad_text),
        Component("optimizer", states / GB, state_text),
        Component("activations", activations / GB, act_text),
        Component("logits", logits / GB, logit_text),
        Component("overhead", OVERHEAD_GB, "CUDA context, cuBLAS/cuDNN workspaces and kernels"),
    )
    if gpus > 1:
        notes.append(f"{gpus} GPUs, {SHARDING[sharding]}; micro-batch {setup.batch_size} each")
    if dims.is_moe:
        notes.append(
            f"MoE: all {dims.experts} experts resident, activations for "
            f"{dims.experts_per_tok} per token"
        )
    return MemoryEstimate(setup, components, trainable, params, tuple(notes))


def estimate_without_dims(params_b: float, setup: TrainingSetup) -> MemoryEstimate:
    """A lower bound when only the parameter count is known: the model states and overhead.

    Activations, logits and LoRA adapters need the dimensions; without them they are left out
    (said as an assumption), and QLoRA counts every weight at 4 bits."""
    params = int(params_b * 1e9)
    gpus = max(setup.gpus, 1)
    split = gpus if gpus > 1 and setup.sharding != "ddp" else 1
    split_weights = gpus if gpus > 1 and setup.sharding in ("zero3", "fsdp") else 1
    if setup.method == "qlora":
        bits = QUANT_BITS[setup.quant]
        weights, text = params * bits / 8, f"{params_b:.2f}B params x {bits:.3f} bits (all 4-bit)"
    else:
        weights, text = params * BF16, f"{params_b:.2f}B params x 2 bytes (bf16)"
    optimizer = OPTIMIZERS[setup.optimizer]
    full = setup.method == "full"
    state_bytes = optimizer.moment_bytes + (FP32 if optimizer.fp32_master else 0)
    components = (
        Component("weights", weights / split_weights / GB, text),
        Component("gradients", params * BF16 / split / GB if full else 0.0,
                  f"{params_b:.2f}B trainable x 2 bytes" if full else "adapters: dims unknown"),
        Component("optimizer", params * state_bytes / split / GB if full else 0.0,
                  f"{params_b:.2f}B x {state_bytes} bytes ({optimizer.about})" if full
                  else "adapters: dims unknown"),
        Component("overhead", OVERHEAD_GB, "CUDA context, cuBLAS/cuDNN workspaces and kernels"),
    )  # fmt: skip
    note = (
        "architecture dimensions unknown: activations, logits and LoRA adapters not counted, "
        "so this is a lower bound"
    )
    return MemoryEstimate(setup, components, params if full else 0, params, (note,), partial=True)
