"""Benchmark of the metadata sources. Run: python bench/bench_hub.py [--runs N]

1. Hub, as a user runs it (start-up included): `advisor recommend` of a spec with 100
   uncatalogued candidates, `--source hub`, against the loopback fake Hub with 50 ms added per
   response. Cold (empty caches; target <= 1.2 s), then repeated (target: 0 requests and
   <= 1.3x the baseline), each as a ratio against the same run's baseline: a cold
   `advisor recommend` of the same candidates answered by a catalog. Runs are interleaved;
   medians of wall time and of the process's CPU time (user + sys) are printed.
   Requests per candidate: 2, the fewest that give every fact. model_info(expand=[...]) carries
   the licence, languages and base_model (cardData), baseModels, tags, gating, the file list
   with sizes (siblings), safetensors parameter counts, and the `config` summary: architectures,
   model_type, quantization_config and tokenizer_config (bos/eos/pad tokens, chat template), so
   tokenizer_config.json and chat_template.jinja are skipped when it has them. It carries no
   context length, rope scaling, sliding window, vocabulary, EOS ids, tied embeddings or the
   dimensions the memory estimate needs (hidden size, layers, heads): those exist only in
   config.json, hence one GET of it, pinned to the commit. (`gguf` covers GGUF repos only;
   transformersInfo names the auto class, nothing more.) 100 candidates run in one wave, so
   the requests cost 2 x 50 ms of latency; the rest is CPU, most of it the client's own:
   baseline C is huggingface_hub's default client making the same 200 requests on as many
   threads (imports and start-up included), and the Hub part of a cold run is cold - A.
2. `advisor inspect` of a local model folder vs `python -c pass` (target: <= 10x), and the
   transformers way (AutoConfig + AutoTokenizer) side by side when transformers is importable.
Raw medians and ratios come from the same run; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
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
SPEC_TASK = "Classify support tickets into 12 categories"
# Baseline C: the real client alone doing the same requests on as many threads, imports included.
CLIENT_ONLY = """
import json, os, sys
from concurrent.futures import ThreadPoolExecutor
import huggingface_hub as hf
from huggingface_hub.utils import build_hf_headers, hf_raise_for_status
EXPAND, MAX_WORKERS = json.loads(sys.argv[2]), int(sys.argv[3])
end = os.environ["HF_ENDPOINT"]
def one(repo):
    info = hf.HfApi(endpoint=end).model_info(repo, expand=EXPAND)
    url = hf.hf_hub_url(repo, "config.json", revision=info.sha, endpoint=end)
    hf_raise_for_status(hf.get_session().get(url, headers=build_hf_headers()))
with ThreadPoolExecutor(MAX_WORKERS) as pool:
    list(pool.map(one, json.loads(sys.argv[1])))
"""


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


def _env(hub: FakeHub, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "ADVISOR_"))}
    return env | {"HF_ENDPOINT": hub.url, "HF_HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + sys) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv[3:5])} failed: {result.stderr.strip()[-300:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def same_candidates_catalog(hub: FakeHub, path: Path) -> None:
    """A catalog holding the bench's 100 repos with the facts the Hub gives for them, so the
    baseline runs the very same candidates through the same rules, answered by the catalog."""
    from advisor.sources.resolve import fetch_models

    with tempfile.TemporaryDirectory() as home:
        os.environ.update(HF_ENDPOINT=hub.url, HF_HOME=home)
        found = fetch_models(list(hub.repos), source="hub", include_siblings=False)
    failed = [f.repo_id for f in found if f.error]
    if failed:
        raise SystemExit(f"bench: {len(failed)} candidates failed, e.g. {failed[0]}")
    models = [
        {
            "repo_id": f.repo_id,
            "aliases": [],
            "sources": [],
            "facts": {n: {"value": x.value, "detail": x.detail} for n, x in f.facts.items()},
        }
        for f in found
    ]
    path.write_text(json.dumps({"models": models}))


def hub_bench(runs: int) -> dict[str, float]:
    """Cold and repeated `recommend --source hub` of 100 candidates vs the catalog baselines."""
    advisor = [sys.executable, "-m", "advisor", "recommend"]
    with tempfile.TemporaryDirectory() as tmp, FakeHub(bench_repos(), latency=LATENCY) as hub:
        spec = Path(tmp) / "hundred.yaml"
        ids = json.dumps(list(hub.repos))
        spec.write_text(f"task:\n  description: {SPEC_TASK}\nmodels:\n  candidates: {ids}\n")
        catalog = Path(tmp) / "hundred-catalog.json"
        same_candidates_catalog(hub, catalog)
        hub_argv = [*advisor, str(spec), "--source", "hub"]
        same_argv = [*advisor, str(spec), "--source", "catalog"]
        example_argv = [*advisor, str(ROOT / "examples" / "support-tickets.yaml")]
        home = Path(tmp) / "hf"
        env = _env(hub, home)
        same_env = _env(hub, home, ADVISOR_CATALOG=str(catalog))
        _run(example_argv, env)  # warm the page cache and the .pyc files
        from advisor.sources.hub import EXPAND
        from advisor.sources.hub_http import MAX_IN_FLIGHT as MAX_WORKERS

        client_argv = [sys.executable, "-c", CLIENT_ONLY, ids, json.dumps(EXPAND), str(MAX_WORKERS)]
        names = ("same", "example", "client", "cold", "repeat")
        wall: dict[str, list[float]] = {k: [] for k in names}
        cpu: dict[str, list[float]] = {k: [] for k in names}
        requests: dict[str, list[int]] = {"cold": [], "repeat": []}

        def timed(name: str, argv: list[str], run_env: dict[str, str]) -> None:
            elapsed, used = _run(argv, run_env)
            wall[name].append(elapsed)
            cpu[name].append(used)

        for _ in range(runs):
            timed("example", example_argv, env)
            timed("same", same_argv, same_env)
            timed("client", client_argv, env)
            shutil.rmtree(home, ignore_errors=True)
            hub.reset()
            timed("cold", hub_argv, env)
            requests["cold"].append(hub.count())
            hub.reset()
            timed("repeat", hub_argv, env)
            requests["repeat"].append(hub.count())
    ms = {k: statistics.median(wall[k]) * 1000 for k in names}
    cpu_ms = {k: statistics.median(cpu[k]) * 1000 for k in names}
    same = ms["same"]

    def line(label: str, name: str, extra: str = "") -> None:
        print(
            f"  {label:48s} {ms[name]:6.0f} ms = {ms[name] / same:4.2f}x A   "
            f"(CPU {cpu_ms[name]:4.0f} ms = {cpu_ms[name] / cpu_ms['same']:4.2f}x A){extra}"
        )

    print(
        f"hub: {CANDIDATES} uncatalogued candidates, {LATENCY * 1000:.0f} ms per response, "
        f"`advisor recommend` (text), start-up included, medians of {runs}, nproc {os.cpu_count()}"
    )
    line("baseline A: the same 100 from a catalog", "same")
    line("baseline B: examples/support-tickets.yaml", "example")
    line("baseline C: huggingface_hub alone, same requests", "client")
    per = max(requests["cold"]) / CANDIDATES
    line(
        "cold   --source hub (target <= 1200 ms)",
        "cold",
        f"; {max(requests['cold'])} requests = {per:g} per candidate",
    )
    line(
        "repeat --source hub (target <= 1.30x A)",
        "repeat",
        f"; {max(requests['repeat'])} requests (target 0)",
    )
    part = ms["cold"] - ms["same"]
    print(
        f"  the Hub part of cold (cold - A) {part:.0f} ms = {part / ms['client']:.2f}x C "
        "(C: huggingface_hub's default client making the\n  same 200 requests on as many "
        "threads, imports and start-up included)"
    )
    return ms


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
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "5")))
    hub_bench(parser.parse_args().runs)
    inspect_bench()
