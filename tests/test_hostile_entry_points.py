"""Hostile input at entry points the other corpora did not reach: the ADVISOR_CATALOG file, a
NaN flag value, numbers too large for a float in --task, control characters from the task or
a model folder in training configs and on stderr, and a --rules folder of thousands of files.
Each test failed (hang, traceback, raw control bytes or 500+ MB) before its fix.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_hostile_local import rule_file, run_bounded, spec_file

CORPUS = Path(__file__).parent / "bad_inputs"
# What a terminal would act on: C0 (but tab and newline), DEL, C1, the bidi overrides and
# isolates, and the line breaks YAML knows beyond \n (NEL is C1; U+2028 / U+2029).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
FRAMEWORKS = ("trl", "trl-cli", "axolotl", "llamafactory", "unsloth")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and devices are POSIX")


@pytest.mark.parametrize("kind", ["dev-zero-link", "fifo", "dev-null"])
@pytest.mark.parametrize("command", [("catalog", "list"), ("recommend", "{spec}")])
def test_an_advisor_catalog_that_is_not_a_file_is_refused_not_read(tmp_path, kind, command):
    """ADVISOR_CATALOG=/dev/zero read without end (9 GB in 20 s); a FIFO waited forever."""
    target = tmp_path / "catalog.json"
    if kind == "dev-zero-link":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target = Path("/dev/null")
    args = [a.replace("{spec}", str(spec_file(tmp_path))) for a in command]
    run = run_bounded(*args, cwd=tmp_path, env={"ADVISOR_CATALOG": str(target)})
    assert run.returncode == 2, run.stderr
    line = run.one_error_line()
    assert f"{target}: not a usable advisor catalog" in line
    assert "not a regular file" in line
    assert "ADVISOR_CATALOG" in line


@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_memory_gpu_size_nan_is_refused(tmp_path: Path, value: str) -> None:
    """click's FloatRange let NaN through: the fit verdict was silently left out, exit 0."""
    run = run_bounded("memory", "Qwen/Qwen2.5-7B-Instruct", "--gpu-memory-gb", value, cwd=tmp_path)
    assert run.returncode == 2, run.stdout
    line = run.one_error_line()
    assert "--gpu-memory-gb" in line and f"'{value}' is not a number" in line
    assert run.stdout == ""


@pytest.mark.parametrize(
    "task",
    [
        "Classify tickets, " + "9" * 9000 + " examples",  # a float overflows to inf
        "Classify tickets, " + "9" * 400 + " billion examples",
        "Classify tickets on a GPU with " + "9" * 400 + " GB",
        "Classify tickets, at most " + "9" * 400 + "B parameters",
    ],
    ids=["9000-digit-examples", "400-digits-billion", "400-digit-gb", "400-digit-params"],
)
def test_a_number_too_large_for_a_float_in_the_task_is_ignored_not_a_traceback(tmp_path, task):
    """OverflowError (int(inf)) in the reader before: now the field's bound refuses it."""
    run = run_bounded("recommend", "--task", task, "--format", "json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    spec = json.loads(run.stdout)["task"]["spec"]
    assert spec["data"]["examples"] is None  # nothing too large was taken as a value
    assert spec["training"]["gpu_memory_gb"] is None
    assert spec["constraints"]["max_params"] is None
    assert "advisor: ignored in --task: '" in run.stderr


HOSTILE_TASK = "Classify tickets \x1b]0;pwned\x07 \x1b[2J \u202e \x9b2J \u2028 learning_rate: 9"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_control_characters_in_the_task_never_reach_a_config_raw(tmp_path, framework) -> None:
    """The task is quoted in every config's header comment: a YAML config with ESC in it was
    a traceback (YAML refuses it: the field check parses the config), a script carried it raw."""
    run = run_bounded("config", "--task", HOSTILE_TASK, "--framework", framework, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert not RAW_CONTROL.search(run.stdout)
    assert "\\x1b]0;pwned\\x07" in run.stdout
    if framework in ("trl-cli", "axolotl", "llamafactory"):
        assert isinstance(yaml.safe_load(run.stdout), dict)  # YAML reads the file


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_pad_token_with_yaml_line_breaks_is_written_exactly_and_inert(tmp_path, framework):
    """A local tokenizer_config's pad token with NEL / U+2028 and C1: JSON leaves them raw in
    a YAML value (YAML refuses C1: traceback) and in comments (a line break to an editor)."""
    folder = CORPUS / "model-hostile-tokens"
    pad = json.loads((folder / "tokenizer_config.json").read_text("utf-8"))["pad_token"]
    run = run_bounded(
        "config", "--task", "Classify tickets", "--repo", str(folder), "--framework", framework,
        cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert not RAW_CONTROL.search(run.stdout)
    if framework == "trl-cli":
        assert yaml.safe_load(run.stdout)["pad_token"] == pad  # the exact token, escaped


def test_the_corpus_model_with_hostile_tokens_is_what_the_test_above_reads() -> None:
    pad = json.loads((CORPUS / "model-hostile-tokens" / "tokenizer_config.json").read_text())
    assert "\u2028" in pad["pad_token"] and "\x85" in pad["pad_token"]


@pytest.mark.parametrize(
    "args",
    [
        ("recommend", "{d}/\x1b]0;pwned\x07.yaml"),
        ("recommend", "{good}", "-o", "/nonexistent-folder/\x1b]52;c;QUFB\x07.json"),
        ("recommend", "{good}", "--data", "{d}/\x07\x1b]0;x\x07.jsonl"),
        ("inspect", "./\x1b]0;pwned\x07"),
        ("recommend", "{good}", "--format", "\x1b]0;pwned\x07"),
    ],
    ids=["spec-path", "output-path", "data-path", "inspect-path", "click-choice"],
)
def test_control_characters_on_stderr_are_shown_escaped(tmp_path: Path, args) -> None:
    """click strips colour codes from stderr only when it is not a terminal, and never BEL or
    OSC sequences (retitle the terminal, write the clipboard): every error line escapes them."""
    good = spec_file(tmp_path)
    full = [a.replace("{d}", str(tmp_path)).replace("{good}", str(good)) for a in args]
    run = run_bounded(*full, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    line = run.one_error_line()
    assert not RAW_CONTROL.search(run.stderr)
    assert "\\x1b]" in line and "\\x07" in line


def test_a_written_file_with_control_characters_in_its_name_is_said_escaped(tmp_path) -> None:
    target = tmp_path / "r\x1b]0;x\x07.json"
    run = run_bounded("recommend", str(spec_file(tmp_path)), "-o", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert target.exists()
    assert not RAW_CONTROL.search(run.stderr)
    assert run.stderr.strip().endswith("r\\x1b]0;x\\x07.json")


@pytest.mark.parametrize("command", ["recommend", "rules-list"])
def test_a_rules_folder_of_thousands_of_files_is_refused_before_reading(tmp_path, command):
    """10,000 rule files: 600 MB of memory and a 140 MB JSON report (every rule's result for
    every candidate). More than the cap is one line, counted before any file is read."""
    from advisor.engine.loader import MAX_USER_RULES

    folder = tmp_path / "rules"
    rule_file(folder, "  {fact: data.examples, op: lt, value: 100}", name="r0")
    body = (folder / "r0.yaml").read_text("utf-8")
    for i in range(1, MAX_USER_RULES + 1):
        (folder / f"r{i}.yaml").write_text(body.replace("r0", f"r{i}"), "utf-8")
    args = ["rules", "list"] if command == "rules-list" else ["recommend", str(spec_file(tmp_path))]
    run = run_bounded(*args, "--rules", str(folder), cwd=tmp_path)
    assert run.returncode == 2, run.stderr[-300:]
    line = run.one_error_line()
    assert f"more than {MAX_USER_RULES} rule files" in line and str(folder) in line
    assert run.rss_mb < 150


def test_a_rules_folder_under_the_cap_loads(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    for i in range(50):
        rule_file(folder, "  {fact: data.examples, op: lt, value: 100}", name=f"r{i}")
    run = run_bounded("rules", "list", "--rules", str(folder), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "r49" in run.stdout


def _ask(tmp_path: Path, stdin) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    return subprocess.run(
        [sys.executable, "-m", "advisor", "ask"],
        stdin=stdin, capture_output=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip


def test_ask_reading_a_stdin_without_end_of_line_is_one_line(tmp_path: Path) -> None:
    """`advisor ask < /dev/zero` read one endless line: 4 GB in 20 s, never an answer."""
    with open("/dev/zero", "rb") as zero:
        result = _ask(tmp_path, zero)
    assert result.returncode == 2
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("advisor: error: stdin: an answer longer than")


def test_ask_echoes_piped_answers_with_control_characters_escaped(tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_bytes(b"Classify tickets \x1b]0;pwned\x07\n\x1b[2J\n")
    with answers.open("rb") as stdin:
        result = _ask(tmp_path, stdin)
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert not RAW_CONTROL.search(stderr)
    assert "Classify tickets \\x1b]0;pwned\\x07" in stderr


def _without_read_override(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The CLI as a user whom file permissions bind: as root, without the capabilities that
    override them (setpriv), so 0000 files and folders are unreadable as for anyone else."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("root without setpriv reads every file")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    return subprocess.run(
        [*prefix, sys.executable, "-m", "advisor", *args],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip


@pytest.fixture
def sealed(tmp_path: Path):
    """A folder nobody may search (0000), holding a training file and a model's config.json."""
    folder = tmp_path / "sealed"
    folder.mkdir()
    (folder / "train.jsonl").write_text('{"text": "a"}\n', "utf-8")
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "qwen2"}', "utf-8")
    (model / "config.json").chmod(0)
    folder.chmod(0)
    yield folder, model
    folder.chmod(0o755)


@pytest.mark.parametrize("command", ["recommend", "report", "ask"])
def test_data_in_a_folder_that_cannot_be_searched_is_one_line(tmp_path, sealed, command):
    """Path.exists() raised PermissionError there: a traceback, exit 1."""
    data = str(sealed[0] / "train.jsonl")
    spec = [] if command == "ask" else [str(spec_file(tmp_path))]
    result = _without_read_override(tmp_path, command, *spec, "--data", data)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"advisor: error: {data}: permission denied (on the file or a folder on its path) — "
        "make it readable"
    ]


@pytest.mark.parametrize("command", [("inspect", "{m}"), ("memory", "{m}")])
def test_an_unreadable_config_json_says_permission_not_damage(tmp_path, sealed, command):
    """It said "[Errno 13] Permission denied: '.../config.json' — the model folder looks
    damaged": neither where first nor the right next step."""
    model = sealed[1]
    result = _without_read_override(tmp_path, *(a.replace("{m}", str(model)) for a in command))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"advisor: error: {model / 'config.json'}: permission denied — make it readable"
    ]


def test_training_data_behind_a_symlink_loop_says_so(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").symlink_to("b.jsonl")
    (tmp_path / "b.jsonl").symlink_to("a.jsonl")
    run = run_bounded(
        "recommend", str(spec_file(tmp_path)), "--data", str(tmp_path / "a.jsonl"), cwd=tmp_path
    )
    assert run.returncode == 2
    assert "a.jsonl: cannot read: Too many levels of symbolic links" in run.one_error_line()
