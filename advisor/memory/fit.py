"""What fits on the user's GPU: fits / tight / does not fit, the largest sequence length and
micro-batch that fit, and — when the chosen setup does not fit — the changes that would, each
with the memory it would reach. A change already made is never suggested.
"""

from typing import Any, NamedTuple

from advisor.dims import Dims
from advisor.memory.model import MemoryEstimate, estimate
from advisor.memory.settings import TrainingSetup

# Above this share of the GPU the estimate is "tight" (the memory-tight rule says the same):
# allocator fragmentation and a longer-than-expected batch take the last few percent.
TIGHT_SHARE = 0.85
MAX_SEARCH_SEQ = 1 << 21  # 2M tokens: beyond every context in the catalog
MAX_SEARCH_BATCH = 1024
GPU_COUNTS = (2, 4, 8)


class Fix(NamedTuple):
    """A change that would make a run fit, and the memory per GPU it would need."""

    change: str
    per_gpu_gb: float


class Fit(NamedTuple):
    """How an estimate compares with the GPU, and the largest settings that fit."""

    verdict: str  # fits | tight | does not fit
    need_gb: float
    gpu_gb: float
    largest_seq_len: int | None  # with the other settings unchanged; None: not even 1 token
    largest_batch: int | None
    fixes: tuple[Fix, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self._asdict(), "fixes": [f._asdict() for f in self.fixes]}

    def fix_text(self) -> str:
        if self.verdict != "does not fit":
            return ""
        if not self.fixes:
            return "nothing short of a smaller model or a bigger GPU fits"
        fixes = (f"{fix.change} (~{fix.per_gpu_gb:g} GB)" for fix in self.fixes)
        return "would fit with: " + "; ".join(fixes)


def verdict(need_gb: float, gpu_gb: float) -> str:
    if need_gb > gpu_gb:
        return "does not fit"
    return "tight" if need_gb > TIGHT_SHARE * gpu_gb else "fits"


def _largest(dims: Dims, setup: TrainingSetup, gpu_gb: float, name: str, cap: int) -> int | None:
    """The largest value of seq_len / batch_size (others unchanged) whose estimate fits.

    Memory grows with both, so the answer is the edge of a monotone test, found exactly as
    bisection would find it. Memory is close to linear in both, so each step first tries where
    a straight line between the last fitting and the last failing value crosses the GPU's size,
    and the value beside it; a halving step keeps the worst case logarithmic. A few estimates
    instead of ~20 per search (42 searches for the default candidates)."""

    def probe(n: int) -> tuple[bool, float]:
        est = estimate(dims, setup.but(**{name: n}))
        return est.per_gpu_gb <= gpu_gb, sum(c.gb for c in est.components)

    (fits_one, one_gb), (fits_cap, cap_gb) = probe(1), probe(cap)
    if not fits_one:
        return None
    if fits_cap:
        return cap
    edge = {True: (1, one_gb), False: (cap, cap_gb)}  # the last fitting / failing value

    def settle(n: int) -> bool:
        if not edge[True][0] < n < edge[False][0]:
            return False
        fits, gb = probe(n)
        edge[fits] = (n, gb)
        return fits

    target = gpu_gb + 0.05  # per_gpu_gb is rounded to 0.1 GB: aim at the rounding edge
    while edge[False][0] - edge[True][0] > 1:
        (lo, lo_gb), (hi, hi_gb) = edge[True], edge[False]
        slope = (hi_gb - lo_gb) / (hi - lo)
        guess = lo + int((target - lo_gb) / slope) if slope > 0 else (lo + hi) // 2
        guess = min(max(guess, lo + 1), hi - 1)
        settle(guess + 1 if settle(guess) else guess - 1)  # the guess and the value beside it
        if edge[False][0] - edge[True][0] > (hi - lo) // 2:
            settle((edge[True][0] + edge[False][0]) // 2)  # a halving step, for the worst case
    return edge[True][0]


def candidate_fixes(dims: Dims, setup: TrainingSetup, gpu_gb: float) -> list[Fix]:
    """Single changes to the setup that fit, least disruptive first; none already applied."""
    tries: list[tuple[str, TrainingSetup]] = []
    if not setup.gradient_checkpointing:
        tries.append(("gradient checkpointing", setup.but(gradient_checkpointing=True)))
    if setup.batch_size > 1:
        tries.append(("micro-batch 1 with gradient accumulation", setup.but(batch_size=1)))
    if setup.optimizer not in ("adamw-8bit", "paged-adamw-8bit"):
        tries.append(("8-bit AdamW (paged)", setup.but(optimizer="paged-adamw-8bit")))
    if setup.loss == "standard":
        tries.append(("chunked cross-entropy (e.g. Liger kernel)", setup.but(loss="chunked")))
    if setup.method == "full":
        tries.append(("LoRA instead of full fine-tuning", setup.but(method="lora")))
    if setup.method != "qlora":
        tries.append(("QLoRA (4-bit base weights)", setup.but(method="qlora")))

    def need(changed: TrainingSetup) -> float:
        return estimate(dims, changed).per_gpu_gb  # cached: asking twice costs nothing

    found = [Fix(change, need(changed)) for change, changed in tries if need(changed) <= gpu_gb]
    sharded = setup.gpus > 1 and setup.sharding in ("zero3", "fsdp")
    for count in (n for n in GPU_COUNTS if not (sharded and n <= setup.gpus)):
        changed = setup.but(gpus=max(count, setup.gpus), sharding="fsdp")
        if need(changed) <= gpu_gb:
            found.append(Fix(f"{changed.gpus} GPUs with FSDP full shard", need(changed)))
            break
    seq = _largest(dims, setup, gpu_gb, "seq_len", setup.seq_len - 1) if setup.seq_len > 1 else None
    if seq:
        found.append(Fix(f"sequences up to {seq:,} tokens", need(setup.but(seq_len=seq))))
    return found


def assess(
    dims: Dims,
    setup: TrainingSetup,
    gpu_gb: float,
    est: MemoryEstimate | None = None,
    context: int | None = None,
) -> Fit:
    """Fits / tight / does not fit on a GPU of gpu_gb, the largest sequence length (up to the
    model's context when known) and micro-batch that fit, and the fixes when it does not."""
    est = est or estimate(dims, setup)
    need = est.per_gpu_gb
    result = verdict(need, gpu_gb)
    return Fit(
        verdict=result,
        need_gb=need,
        gpu_gb=gpu_gb,
        largest_seq_len=_largest(dims, setup, gpu_gb, "seq_len", context or MAX_SEARCH_SEQ),
        largest_batch=_largest(dims, setup, gpu_gb, "batch_size", MAX_SEARCH_BATCH),
        fixes=tuple(candidate_fixes(dims, setup, gpu_gb)[:4]) if result == "does not fit" else (),
    )
