"""Hostile local input through the real CLI: files that are not files, files without end, deep
or odd values, patterns that backtrack, outputs that cannot be written. Every run is bounded
(a watchdog kills it after TIMEOUT seconds, which fails the test) and measured: its own peak
RSS must stay under 300 MB. Each test reproduces one attack of the reliability review.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import peak_rss
import pytest
import yaml
from conftest import EXAMPLES, ROOT

TIMEOUT = 60  # seconds; the attacks hung forever or for minutes before the fixes
MAX_RSS_MB = 300

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and devices are POSIX")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    rss_mb: float

    def one_error_line(self) -> str:
        lines = self.stderr.strip().splitlines()
        assert len(lines) == 1, self.stderr
        assert "Traceback" not in self.stderr
        return lines[0]


def run_bounded(*args: str, cwd: Path, env: dict | None = None, umask: int = -1) -> Run:
    """`python -m advisor ARGS` with a watchdog, reporting its own peak RSS (tests/peak_rss.py)."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(cwd / "hf"), **(env or {})}
    full_env.pop("HF_TOKEN", None)
    rss_file = Path(tempfile.mkdtemp()) / "peak"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            peak_rss.command(rss_file, [sys.executable, "-m", "advisor", *args]),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=full_env,
            umask=umask,
            start_new_session=True,  # the watchdog ends the launcher and advisor together
        )
        watchdog = threading.Timer(TIMEOUT, os.killpg, (proc.pid, signal.SIGKILL))
        watchdog.start()
        try:
            proc.wait()
        finally:
            watchdog.cancel()
        out.seek(0)
        err.seek(0)
        run = Run(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            peak_rss.peak_mb(rss_file),
        )
        shutil.rmtree(rss_file.parent, ignore_errors=True)
    assert run.returncode != -9, f"killed after {TIMEOUT} s: {run.stderr[-500:]}"
    assert run.rss_mb < MAX_RSS_MB, f"peak RSS {run.rss_mb:.0f} MB"
    return run


def spec_file(folder: Path, candidates: list[str] | None = None, extra: str = "") -> Path:
    path = folder / "spec.yaml"
    models = f"models:\n  candidates: {json.dumps(candidates)}\n" if candidates else ""
    path.write_text(
        "task:\n  description: Classify support tickets into 12 categories\n"
        "  kind: classification\n" + extra + models,
        "utf-8",
    )
    return path


def model_folder(root: Path, config: str = '{"model_type": "qwen2"}') -> Path:
    folder = root / "model"
    folder.mkdir()
    (folder / "config.json").write_text(config, "utf-8")
    return folder


def rule_file(folder: Path, when: str, name: str = "user-rule") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(
        f"id: {name}\nsummary: A user rule.\nkind: pitfall\neffect: {{status: warn}}\n"
        f"when:\n{when}\nmessage: user rule fired\n"
        "explain:\n  what: Warns.\n  why: Because.\n  caveats: None.\n  references: []\n"
        "tests:\n  - name: nothing\n    given: {}\n    expect: unknown\n",
        "utf-8",
    )
    return path


# --- 3. files that are not regular files, files without end ------------------------------


def test_a_fifo_named_model_safetensors_does_not_hang_inspect(tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    os.mkfifo(folder / "model.safetensors")
    run = run_bounded("inspect", str(folder), "--source", "local", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "qwen2" in run.stdout


def test_a_fifo_rule_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    os.mkfifo(rules / "waiting.yaml")
    run = run_bounded("recommend", str(spec_file(tmp_path)), "--rules", str(rules), cwd=tmp_path)
    assert run.returncode == 2
    assert "waiting.yaml: a named pipe (FIFO), not a regular file" in run.one_error_line()


@pytest.mark.parametrize("how", ["device", "symlink"])
def test_a_spec_that_is_dev_zero_is_refused_not_read_forever(tmp_path: Path, how: str) -> None:
    spec = "/dev/zero"
    if how == "symlink":
        (tmp_path / "spec.yaml").symlink_to("/dev/zero")
        spec = "spec.yaml"
    run = run_bounded("recommend", spec, cwd=tmp_path)
    assert run.returncode == 2
    assert "a device, not a regular file" in run.one_error_line()


def test_a_rule_file_linked_to_dev_zero_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "zero.yaml").symlink_to("/dev/zero")
    run = run_bounded("recommend", str(spec_file(tmp_path)), "--rules", str(rules), cwd=tmp_path)
    assert run.returncode == 2
    assert "zero.yaml: a device, not a regular file" in run.one_error_line()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_cache_latest_json_that_is_not_a_file_is_ignored(tmp_path: Path, kind: str) -> None:
    cache = tmp_path / "cache"
    entry = cache / "someorg--somemodel"
    entry.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(entry / "latest.json")
    else:
        (entry / "latest.json").symlink_to("/dev/zero")
    run = run_bounded(
        "inspect", "someorg/somemodel", "--source", "hub", "--offline",
        cwd=tmp_path, env={"ADVISOR_CACHE_DIR": str(cache)},
    )  # fmt: skip
    assert run.returncode == 1  # offline and nothing usable cached: says so
    assert "offline and not in the advisor cache" in run.stdout
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("name", ["config.json", "tokenizer_config.json", "README.md"])
def test_model_files_linked_to_dev_zero_are_not_read(tmp_path: Path, name: str) -> None:
    folder = model_folder(tmp_path)
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to("/dev/zero")
    run = run_bounded("inspect", str(folder), "--source", "local", cwd=tmp_path)
    if name == "config.json":
        assert run.returncode == 2
        assert "no config.json" in run.one_error_line()
    else:
        assert run.returncode == 0, run.stderr


def _safetensors(path: Path, tensors: int) -> None:
    header = {f"layer.{i}.weight": {"dtype": "F16", "shape": [4, 4], "data_offsets": [0, 32]}
              for i in range(tensors)}  # fmt: skip
    raw = json.dumps(header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw)


def test_hard_links_to_one_huge_header_share_one_budget(tmp_path: Path) -> None:
    """200 links to a 10 MB header took 236 s: headers of one folder share a 64 MB budget."""
    folder = model_folder(tmp_path)
    first = folder / "model-00001-of-00200.safetensors"
    _safetensors(first, 140_000)
    assert first.stat().st_size > 9 << 20
    for index in range(2, 201):
        os.link(first, folder / f"model-{index:05d}-of-00200.safetensors")
    run = run_bounded("inspect", str(folder), "--source", "local", "--format", "json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    facts = json.loads(run.stdout)
    assert "params_b" not in json.dumps(facts.get("facts", facts))  # over budget: unknown


# --- 4. ReDoS ------------------------------------------------------------------------------


def test_a_backtracking_pattern_against_a_hostile_licence_finishes(tmp_path: Path) -> None:
    """^(\\w+\\s?)+$ against 34 a's and '!' ran past 60 s with Python's re; RE2 is linear."""
    folder = model_folder(tmp_path)
    (folder / "README.md").write_text("---\nlicense: " + "a" * 34 + "!\n---\n", "utf-8")
    when = '  fact: model.license\n  op: matches\n  value: "^(\\\\w+\\\\s?)+$"'
    rule_file(tmp_path / "rules", when)
    spec = spec_file(tmp_path, [str(folder)])
    run = run_bounded(
        "recommend", str(spec), "--rules", str(tmp_path / "rules"), "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "user rule fired" not in run.stdout  # the pattern does not match ('!' is no \w)


def test_a_pattern_re2_cannot_run_in_linear_time_is_refused_with_the_syntax(tmp_path) -> None:
    rule_file(tmp_path / "rules", '  fact: model.license\n  op: matches\n  value: "(a)\\\\1"')
    run = run_bounded(
        "recommend", str(spec_file(tmp_path)), "--rules", str(tmp_path / "rules"), cwd=tmp_path
    )
    assert run.returncode == 2
    line = run.one_error_line()
    assert "user-rule.yaml" in line and "bad regular expression" in line
    assert "no backreferences or lookaround" in line


def test_rules_show_says_which_pattern_syntax_is_accepted(tmp_path: Path) -> None:
    rule_file(tmp_path / "rules", '  fact: model.license\n  op: matches\n  value: "^apache"')
    run = run_bounded(
        "rules", "show", "user-rule", "--rules", str(tmp_path / "rules"), cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "RE2 syntax" in run.stdout


# --- 5 and 12. one line / one element without end -----------------------------------------


def test_a_csv_with_one_huge_line_is_read_line_bounded(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    with data.open("wb") as out:
        out.write(b"prompt,completion\n")
        out.write(b"hello,world\n" * 10)
        chunk = b"x" * (1 << 20)
        for _ in range(200):  # a 200 MB line (the review used 1 GB: 2.4 GB RSS)
            out.write(chunk)
        out.write(b",end\n")
        out.write(b"hello,world\n" * 10)
    run = run_bounded(
        "recommend", str(spec_file(tmp_path)), "--data", str(data), "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    dataset = json.loads(run.stdout)["dataset"]
    assert dataset["rows"] == 20
    assert dataset["malformed"][0]["line"] == 12
    assert "bytes long; not parsed" in dataset["malformed"][0]["reason"]


def test_a_json_array_element_over_the_limit_says_so(tmp_path: Path) -> None:
    data = tmp_path / "train.json"
    with data.open("wb") as out:
        out.write(b'[{"text": "fine"},\n{"text": "')
        for _ in range(24):
            out.write(b"y" * (1 << 20))
        out.write(b'"}]')
    run = run_bounded("recommend", str(spec_file(tmp_path)), "--data", str(data), cwd=tmp_path)
    assert run.returncode == 2
    line = run.one_error_line()
    assert "train.json:2" in line and "over the 16 MB size limit" in line
    assert "Unterminated" not in line


# --- 6. YAML values that become failing Python objects -------------------------------------


def test_a_description_that_looks_like_an_impossible_date_is_text(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("task:\n  description: 2001-13-45\n", "utf-8")
    run = run_bounded("validate", str(spec), cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert run.returncode in (0, 2)  # read as the text "2001-13-45", judged like any text
    if run.returncode == 2:
        assert "month" not in run.one_error_line()


def test_a_5000_digit_integer_in_a_spec_names_file_and_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "task:\n  description: Classify tickets\ndata:\n  examples: " + "9" * 5000 + "\n", "utf-8"
    )
    run = run_bounded("validate", str(spec), cwd=tmp_path)
    assert run.returncode == 2
    line = run.one_error_line()
    assert "spec.yaml:4" in line and "more than 4300 digits" in line


def test_a_5000_digit_integer_in_a_rule_file_names_the_file(tmp_path: Path) -> None:
    when = "  fact: model.vocab_size\n  op: gt\n  value: " + "9" * 5000
    rule_file(tmp_path / "rules", when)
    run = run_bounded(
        "recommend", str(spec_file(tmp_path)), "--rules", str(tmp_path / "rules"), cwd=tmp_path
    )
    assert run.returncode == 2
    line = run.one_error_line()
    assert "user-rule.yaml:" in line and "4300 digits" in line


@pytest.mark.parametrize("value", ["2001-13-45", "9" * 5000])
def test_odd_values_in_readme_front_matter_leave_the_card_unread(tmp_path, value) -> None:
    folder = model_folder(tmp_path)
    (folder / "README.md").write_text(f"---\nlicense: mit\nreleased: {value}\n---\n", "utf-8")
    run = run_bounded("inspect", str(folder), "--source", "local", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr


# --- 7. deep JSON and numbers over the digit limit ----------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_deep_json_in_a_jsonl_line_is_a_malformed_row(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    good = json.dumps({"text": "a fine example"})
    data.write_text(f'{good}\n{{"text": {DEEP}}}\n{good}\n', "utf-8")
    run = run_bounded(
        "recommend", str(spec_file(tmp_path)), "--data", str(data), "--format", "json",
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    dataset = json.loads(run.stdout)["dataset"]
    assert dataset["malformed"] == [
        {"line": 2, "reason": "JSON nested too deeply (more than 100 levels)"}
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[" * 1_000_000, "nested too deeply"),
        ('[{"text": "ok"}, {"n": ' + "9" * 5000 + "}]", "more than 4300 digits"),
    ],
    ids=["one-million-brackets", "5000-digit-int"],
)
def test_a_json_array_that_python_cannot_hold_is_one_line(tmp_path, body, expected) -> None:
    data = tmp_path / "train.json"
    data.write_text(body, "utf-8")
    run = run_bounded("recommend", str(spec_file(tmp_path)), "--data", str(data), cwd=tmp_path)
    assert run.returncode == 2
    line = run.one_error_line()
    assert "train.json:1" in line and expected in line


def test_deep_json_in_a_csv_cell_stays_text(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    data.write_text(f'messages,other\n"{DEEP}",x\n', "utf-8")
    run = run_bounded("recommend", str(spec_file(tmp_path)), "--data", str(data), cwd=tmp_path)
    assert "Traceback" not in run.stderr
    assert run.returncode in (0, 2)
    if run.returncode == 2:
        run.one_error_line()


@pytest.mark.parametrize(
    "name",
    ["tokenizer_config.json", "chat_template.json", "model.safetensors"],
)
def test_deep_json_in_optional_model_files_is_ignored(tmp_path: Path, name: str) -> None:
    folder = model_folder(tmp_path)
    if name.endswith(".safetensors"):
        raw = DEEP.encode()
        (folder / name).write_bytes(len(raw).to_bytes(8, "little") + raw)
    else:
        (folder / name).write_text(DEEP, "utf-8")
    run = run_bounded("inspect", str(folder), "--source", "local", cwd=tmp_path)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("config", "reason"),
    [(DEEP, "nested too deeply"), ('{"vocab_size": ' + "9" * 5000 + "}", "4300 digits")],
    ids=["deep", "5000-digit-int"],
)
def test_a_config_json_python_cannot_hold_names_the_file(tmp_path, config, reason) -> None:
    folder = model_folder(tmp_path, config)
    run = run_bounded("inspect", str(folder), "--source", "local", cwd=tmp_path)
    assert run.returncode == 2
    line = run.one_error_line()
    assert "config.json" in line and reason in line


# --- 9. lone surrogates reach every output format -------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_lone_surrogate_in_a_config_value_is_printed(tmp_path: Path, fmt: str) -> None:
    folder = model_folder(tmp_path, '{"model_type": "qwen2\\ud800", "architectures": ["X\\ud800"]}')
    run = run_bounded("inspect", str(folder), "--source", "local", "--format", fmt, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "qwen2" in run.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "file"])
def test_a_lone_surrogate_in_a_jsonl_key_is_written(tmp_path, fmt: str, to_file: bool) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text('{"\\ud800odd": "x"}\n' * 3, "utf-8")
    folder = model_folder(tmp_path, '{"model_type": "qwen2\\ud800"}')
    spec = spec_file(tmp_path, [str(folder)])
    args = ["recommend", str(spec), "--data", str(data), "--format", fmt]
    if to_file:
        args += ["-o", "report.out"]
    run = run_bounded(*args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "report.out").read_text("utf-8") if to_file else run.stdout
    assert "instruct" in text.lower()


# --- 10. rule nesting ---------------------------------------------------------------------


@pytest.mark.parametrize("levels", [40, 600])
def test_deeply_nested_not_is_refused_at_load(tmp_path: Path, levels: int) -> None:
    body = "{not: " * levels + "{fact: model.gated, op: eq, value: true}" + "}" * levels
    rule_file(tmp_path / "rules", "  " + body)
    run = run_bounded(
        "recommend", str(spec_file(tmp_path)), "--rules", str(tmp_path / "rules"), cwd=tmp_path
    )
    assert run.returncode == 2
    line = run.one_error_line()
    assert "user-rule.yaml" in line and "nested" in line


# --- 11 and 15. -o targets -----------------------------------------------------------------


def _recommend_to(target: str, cwd: Path, **kwargs) -> Run:
    return run_bounded(
        "recommend", str(EXAMPLES / "support-tickets.yaml"), "-o", target, cwd=cwd, **kwargs
    )


@pytest.fixture
def locked_folder(tmp_path: Path):
    """A folder the user cannot write into: immutable for root (chattr +i), 0555 otherwise."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.skip("root without chattr cannot make a folder unwritable")
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("this file system has no immutable attribute")
        yield folder
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


def test_output_into_an_unwritable_folder_is_one_line(tmp_path, locked_folder) -> None:
    run = _recommend_to(str(locked_folder / "report.txt"), tmp_path)
    assert run.returncode == 2
    assert "report.txt: cannot write" in run.one_error_line()
    assert list(locked_folder.iterdir()) == []


def test_output_with_a_250_character_name_is_written(tmp_path: Path) -> None:
    name = "r" * 246 + ".txt"
    run = _recommend_to(name, tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [name]


def test_output_with_a_too_long_name_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    run = _recommend_to("r" * 300 + ".txt", tmp_path)
    assert run.returncode == 2
    assert "File name too long" in run.one_error_line()
    assert [p for p in tmp_path.iterdir() if p.is_file()] == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_disk_is_one_line_and_exit_1(tmp_path: Path) -> None:
    spec = str(EXAMPLES / "support-tickets.yaml")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "advisor", "recommend", spec, "--offline"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT, cwd=ROOT,
        )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [lines[0]] and "No space left on device" in lines[0], done.stderr


def test_output_to_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    run = _recommend_to("pipe", tmp_path)
    assert run.returncode == 2
    assert "named pipe (FIFO), not a regular file" in run.one_error_line()
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_output_to_a_device_node_never_replaces_it(tmp_path: Path) -> None:
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
    run = _recommend_to(str(node), tmp_path)
    assert run.returncode == 2
    assert "a device, not a regular file" in run.one_error_line()
    assert stat.S_ISCHR(os.stat(node).st_mode)


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path) -> None:
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "report.txt"
    target.write_text("old", "utf-8")
    target.chmod(0o640)
    (tmp_path / "link.txt").symlink_to(target)
    run = _recommend_to("link.txt", tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "link.txt").is_symlink()
    assert "Recommendation" in target.read_text("utf-8") or target.stat().st_size > 100
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its mode
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["report.txt"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_a_new_output_gets_the_users_umask(tmp_path: Path, umask: int, mode: int) -> None:
    run = _recommend_to("report.txt", tmp_path, umask=umask)
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE((tmp_path / "report.txt").stat().st_mode) == mode


@pytest.mark.parametrize("framework", ["axolotl", "trl-cli", "llamafactory", "trl", "unsloth"])
def test_a_lone_surrogate_in_a_tokenizer_config_is_cleaned_not_a_traceback(tmp_path, framework):
    # A JSON escape can spell a lone surrogate, which no encoding can write: the YAML configs
    # failed their own field check with a raw ReaderError (exit 1).
    folder = model_folder(
        tmp_path,
        '{"model_type": "qwen2", "hidden_size": 896, "num_hidden_layers": 24,'
        ' "num_attention_heads": 14, "vocab_size": 151936, "intermediate_size": 4864}',
    )
    (folder / "tokenizer_config.json").write_text(
        '{"eos_token": "<\\ud800/s>", "pad_token": "<|endoftext|>"}', "utf-8"
    )
    run = run_bounded(
        "config", str(spec_file(tmp_path)), "--repo", str(folder), "--framework", framework,
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-500:]
    assert "Traceback" not in run.stderr
    assert "\ufffd" not in run.stdout and "\\ud800" not in run.stdout
    if framework in ("axolotl", "trl-cli", "llamafactory"):
        yaml.safe_load(run.stdout)
