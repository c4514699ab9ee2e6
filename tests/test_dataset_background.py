"""`recommend --data` profiles the file in a child process on another core while the run
starts: the profile, the errors and the process table are as if it were done in-process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from advisor.dataset import profile_dataset
from advisor.dataset.background import PendingProfile
from advisor.errors import UserError

DATA = Path(__file__).parent / "fixtures" / "data"
forks = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX (in-process elsewhere)")


@forks
@pytest.mark.parametrize("name", ["chat.jsonl", "broken.jsonl", "alpaca.csv", "bom_chat.jsonl"])
def test_the_childs_profile_is_the_in_process_profile(name: str) -> None:
    pending = PendingProfile(DATA / name)
    assert pending._pid, "no child was started"
    assert pending.result() == profile_dataset(DATA / name)


@forks
def test_a_file_the_child_cannot_profile_raises_the_usual_error() -> None:
    with pytest.raises(UserError) as inline:
        profile_dataset(DATA / "binary.jsonl")
    with pytest.raises(UserError) as background:
        PendingProfile(DATA / "binary.jsonl").result()
    assert str(background.value) == str(inline.value)


@forks
def test_a_killed_child_means_the_file_is_profiled_here() -> None:
    pending = PendingProfile(DATA / "chat.jsonl")
    os.kill(pending._pid, signal.SIGKILL)
    assert pending.result() == profile_dataset(DATA / "chat.jsonl")


@forks
def test_a_bad_spec_with_data_leaves_no_process_behind(tmp_path: Path) -> None:
    """The spec's own error, exit 2, and the child profiling the data is gone with the run."""
    big = tmp_path / "big.jsonl"
    row = (
        b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]}\n'
    )
    big.write_bytes(row * 400_000)  # ~35 MB: still being read when the spec fails
    bad = tmp_path / "bad.yaml"
    bad.write_text("task: {description: ''}\n", "utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    run = subprocess.Popen(
        [sys.executable, "-m", "advisor", "recommend", str(bad), "--data", str(big)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    _, err = run.communicate(timeout=60)
    assert run.returncode == 2 and err.count("\n") == 1 and "description" in err
    with pytest.raises(ProcessLookupError):
        os.killpg(run.pid, 0)  # nothing is left in the run's process group


@forks
def test_cancel_stops_the_child(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(b'{"text": "a line of plain text to continue"}\n' * 1_000_000)  # 44 MB
    pending = PendingProfile(big)
    child = pending._pid
    assert pending.cancel()  # stopped at work, not waited for
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # killed and reaped, not left running or as a zombie


def test_recommend_with_data_reports_the_file_by_line(cli) -> None:
    done = cli(
        "recommend", str(EXAMPLES / "support-tickets.yaml"), "--data", str(DATA / "broken.jsonl"),
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    dataset = json.loads(done.stdout)["dataset"]
    assert dataset["rows"] == 4 and dataset["malformed_count"] == 7
    assert [m["line"] for m in dataset["malformed"]][:3] == [2, 3, 6]
