"""Benchmark of the metadata sources. Run: python bench/bench_hub.py

1. 100 candidates against the loopback fake Hub with 50 ms added per response: concurrent
   fetch_models vs one-at-a-time (target: concurrent <= 1.0 s), then a second run's requests
   (target: 0).
2. `advisor inspect` of a local model folder vs `python -c pass` (target: <= 10x), and the
   transformers way (AutoConfig + AutoTokenizer) side by side when transformers is importable.
Ratios come from the same run; nothing here asserts a time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakehub import FakeHub, fixture_json, make_repo  # noqa: E402

CANDIDATES = 100
LATENCY = 0.05


def bench_repos() -> list:
    config = fixture_json("qwen2.5-0.5b-instruct.config.json")
    tok = fixture_json("qwen2.5-0.5b-instruct.tokenizer_config.json")
    return [
        make_repo(
            f"bench-org/model-{i:03d}-Instruct",
            config=config,
            tokenizer=tok,
            params={"BF16": 494_032_768},
        )
        for i in range(CANDIDATES)
    ]


def timed_fetch(hub: FakeHub, home: Path, *, sequential: bool) -> tuple[float, int]:
    """Seconds and requests for one fetch of every candidate with a cold cache."""
    from advisor.sources import resolve

    shutil.rmtree(home, ignore_errors=True)
    hub.reset()
    ids = list(hub.repos)
    saved = resolve.MAX_WORKERS
    resolve.MAX_WORKERS = 1 if sequential else saved
    try:
        started = time.perf_counter()
        results = resolve.fetch_models(ids, source="hub", include_siblings=False, progress=False)
        elapsed = time.perf_counter() - started
    finally:
        resolve.MAX_WORKERS = saved
    failed = [f.repo_id for f in results if f.error]
    if failed:
        raise SystemExit(f"bench: {len(failed)} candidates failed, e.g. {failed[0]}")
    return elapsed, hub.count()


def hub_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeHub(bench_repos(), latency=LATENCY) as hub:
        home = Path(tmp) / "hf"
        os.environ.update(HF_ENDPOINT=hub.url, HF_HOME=str(home))
        os.environ.pop("ADVISOR_CACHE_DIR", None)
        os.environ.pop("HF_HUB_CACHE", None)
        timed_fetch(hub, home, sequential=False)  # warm up imports and the client
        sequential, seq_requests = timed_fetch(hub, home, sequential=True)
        concurrent, requests = timed_fetch(hub, home, sequential=False)
        hub.reset()
        from advisor.sources.resolve import fetch_models

        started = time.perf_counter()
        fetch_models(list(hub.repos), source="hub", include_siblings=False, progress=False)
        second = time.perf_counter() - started
        print(
            f"hub: {CANDIDATES} candidates, {LATENCY * 1000:.0f} ms per response, "
            f"{requests} requests ({seq_requests} sequential)"
        )
        print(f"  sequential  {sequential:6.2f} s")
        print(
            f"  concurrent  {concurrent:6.2f} s   (target <= 1.0 s; {sequential / concurrent:.1f}x"
            " faster than sequential)"
        )
        print(f"  second run  {second:6.3f} s, {hub.count()} requests (target 0)")


def local_folder(root: Path) -> Path:
    folder = root / "Qwen2.5-0.5B-Instruct"
    folder.mkdir()
    fixtures = ROOT / "tests" / "fixtures" / "hub"
    shutil.copy(fixtures / "qwen2.5-0.5b-instruct.config.json", folder / "config.json")
    shutil.copy(
        fixtures / "qwen2.5-0.5b-instruct.tokenizer_config.json", folder / "tokenizer_config.json"
    )
    header = json.dumps({"w": {"dtype": "BF16", "shape": [4, 4], "data_offsets": [0, 32]}}).encode()
    (folder / "model.safetensors").write_bytes(
        len(header).to_bytes(8, "little") + header + bytes(32)
    )
    return folder


def run_median(argv: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            argv,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def inspect_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = local_folder(Path(tmp))
        base = run_median([sys.executable, "-c", "pass"])
        ours = run_median([sys.executable, "-m", "advisor", "inspect", str(folder)])
        print(
            f"inspect of a local folder: {ours * 1000:.0f} ms vs python -c pass "
            f"{base * 1000:.0f} ms = {ours / base:.1f}x (target <= 10x)"
        )
        python = transformers_python()
        if python is None:
            return  # transformers not installed: no side-by-side line
        # AutoTokenizer needs real tokenizer files: a tiny byte-level BPE made with `tokenizers`.
        subprocess.run([python, "-c", TINY_TOKENIZER, str(folder)], check=True, capture_output=True)
        code = (
            "import sys; from transformers import AutoConfig, AutoTokenizer; "
            "AutoConfig.from_pretrained(sys.argv[1]); AutoTokenizer.from_pretrained(sys.argv[1])"
        )
        floor = run_median([python, "-c", "pass"])
        theirs = run_median([python, "-c", code, str(folder)], runs=5)
        print(
            f"transformers AutoConfig+AutoTokenizer: {theirs * 1000:.0f} ms vs python -c pass "
            f"{floor * 1000:.0f} ms = {theirs / floor:.1f}x (same folder; {python})"
        )
        print(f"advisor inspect is {theirs / ours:.1f}x faster than the transformers way")


TINY_TOKENIZER = """
import sys
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel()
trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>", "<|im_end|>"])
tok.train_from_iterator(["hello world"] * 10, trainer)
tok.save(sys.argv[1] + "/tokenizer.json")
"""


def transformers_python() -> str | None:
    """This interpreter if it has transformers, else ADVISOR_BENCH_TRANSFORMERS_PYTHON (a venv
    of its own: transformers is not a dependency of advisor)."""
    if importlib.util.find_spec("transformers") is not None:
        return sys.executable
    return os.environ.get("ADVISOR_BENCH_TRANSFORMERS_PYTHON") or None


if __name__ == "__main__":
    hub_bench()
    inspect_bench()
