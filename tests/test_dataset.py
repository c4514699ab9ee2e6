"""Training-file inspection: what a user sees for each kind of file they may pass to --data."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from advisor.dataset import jsonarray, jsonl, profile_dataset
from advisor.errors import UserError

DATA = Path(__file__).parent / "fixtures" / "data"
APPROX = "approximate (characters / 4)"


def profile(name: str, **kwargs):
    return profile_dataset(DATA / name, **kwargs)


def summary(name: str) -> tuple:
    p = profile(name)
    return p.format, p.rows, p.max_tokens, p.p95_tokens, p.malformed_count


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # name: (format, rows, max_tokens, p95_tokens, malformed_count)
        ("chat.jsonl", ("chat", 3, 68, 68, 0)),
        ("sharegpt.jsonl", ("chat", 2, 19, 19, 0)),
        ("alpaca.json", ("instruction", 3, 58, 58, 0)),
        ("prompt_completion.jsonl", ("instruction", 2, 27, 27, 0)),
        ("code_prompt_completion.jsonl", ("instruction", 2, 26, 26, 0)),
        ("raw_text.jsonl", ("raw-text", 3, 23, 23, 0)),
        ("html_text.jsonl", ("raw-text", 2, 11, 11, 0)),
        ("preference.jsonl", ("preference", 2, 28, 28, 0)),
        ("fim_code.jsonl", ("completion", 5, 22, 22, 0)),
        ("alpaca.csv", ("instruction", 3, 25, 25, 1)),
        ("text.tsv", ("raw-text", 2, 6, 6, 0)),
        ("chat_cells.csv", ("chat", 2, 68, 68, 0)),
        ("bom_chat.jsonl", ("chat", 3, 68, 68, 0)),
        ("crlf_chat.jsonl", ("chat", 3, 68, 68, 0)),
        ("chat_named.json", ("chat", 3, 68, 68, 0)),
    ],
)
def test_each_format_is_recognised_and_measured(name, expected):
    assert summary(name) == expected


def test_a_clean_file_has_no_warnings_and_says_how_tokens_were_counted():
    p = profile("chat.jsonl")
    assert p.warnings == []
    assert p.malformed == []
    assert p.formats_seen == {"chat": 3}
    assert p.token_method == APPROX
    assert p.sampled_rows == 3
    assert p.bytes_read == (DATA / "chat.jsonl").stat().st_size


def test_chat_length_counts_every_turn_content():
    # 28 + 1 + 37 + 1 + 8 characters of content (joined by newlines) -> ceil(75 / 4) = 19
    assert profile("sharegpt.jsonl").max_tokens == 19


def test_a_bom_is_skipped_not_reported():
    p = profile("bom_chat.jsonl")
    assert p.malformed == [] and p.warnings == []


def test_malformed_lines_are_listed_by_line_number_and_reading_goes_on():
    p = profile("broken.jsonl")
    assert p.rows == 4  # lines 1, 5, 10, 12
    assert p.malformed_count == 7
    assert p.malformed == [
        (2, "invalid JSON: Unterminated string starting at (column 10)"),
        (3, "invalid JSON: Expecting value (column 1)"),
        (6, "a JSON list, not an object"),
        (7, "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
        (8, "'messages' is a string, not a list of messages"),
    ]
    assert p.warnings == ["7 malformed rows skipped", "1 blank line ignored"]
    assert p.format == "raw-text"


def test_a_non_utf8_line_is_reported_with_its_line_and_byte():
    p = profile("latin1.jsonl")
    assert p.rows == 2
    assert p.malformed == [(2, "not UTF-8 (byte 0xe8 at column 13)")]


def test_a_byte_order_mark_inside_the_file_is_reported_as_such(tmp_path):
    # What `cat a.jsonl b.jsonl` gives when b.jsonl was saved with a BOM.
    path = tmp_path / "joined.jsonl"
    path.write_bytes(b'{"text": "a"}\n\xef\xbb\xbf{"text": "b"}\n{"text": "c"}\n')
    p = profile_dataset(path)
    assert p.rows == 2
    assert p.malformed == [
        (2, "starts with a UTF-8 byte-order mark (files joined together?); remove it")
    ]


def test_csv_record_with_wrong_field_count_is_reported_by_its_line():
    # The first record's output spans three lines (quoted newlines), so the bad one is on line 6.
    p = profile("alpaca.csv")
    assert p.malformed == [(6, "4 fields, the header has 3")]


def test_fim_markers_of_real_tokenizers_make_text_a_completion_task():
    p = profile("fim_code.jsonl")
    assert p.formats_seen == {"completion": 4, "raw-text": 1}
    assert p.warnings == [
        "FIM markers in 4 of 5 text rows: treated as completion",
        "FIM markers of several tokenizer families: StarCoder / StarCoder2, "
        "Qwen2.5-Coder / CodeGemma, DeepSeek-Coder, CodeLlama",
    ]


def test_ascii_lookalike_of_deepseek_fim_markers_is_completion_with_a_warning():
    p = profile("fim_lookalike.jsonl")
    assert p.format == "completion"
    assert len(p.warnings) == 1
    assert "'<|fim_begin|>'" in p.warnings[0]
    assert "<\uff5cfim\u2581begin\uff5c>" in p.warnings[0]


def test_a_lone_pre_tag_in_prose_is_not_fim():
    assert profile("html_text.jsonl").formats_seen == {"raw-text": 2}


def test_code_prefix_prompts_without_fim_markers_stay_instruction():
    assert profile("code_prompt_completion.jsonl").format == "instruction"


def test_a_clear_majority_format_wins_with_a_warning_listing_counts():
    p = profile("mostly_chat.jsonl")
    assert p.format == "chat"
    assert p.warnings == ["mixed formats (chat 10, raw-text 1): treated as chat"]


def test_mixed_formats_without_a_clear_majority_leave_the_format_undecided():
    p = profile("mixed.jsonl")
    assert p.format is None
    assert p.formats_seen == {"chat": 3, "raw-text": 2, "instruction": 1}
    assert p.warnings == [
        "mixed formats (chat 3, raw-text 2, instruction 1): no format covers 90% of rows; "
        "split the file by format or state data.format"
    ]


def test_rows_with_no_known_field_are_counted_but_leave_format_and_lengths_unknown():
    p = profile("unknown_fields.jsonl")
    assert (p.format, p.rows, p.max_tokens, p.p95_tokens) == (None, 2, None, None)
    assert p.formats_seen == {"unknown": 2}
    assert "fields: question_id, body" in p.warnings[0]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.jsonl", "empty.jsonl: the file is empty — pass a file with training examples"),
        ("whitespace.jsonl", "whitespace.jsonl: the file holds only whitespace"),
        (
            "binary.jsonl",
            "binary.jsonl: not a text file (NUL byte at offset 0) — "
            "pass a .jsonl, .json, .csv, .tsv or .parquet training file",
        ),
        ("utf16.jsonl", "utf16.jsonl: the file is UTF-16 encoded — save it as UTF-8"),
        (
            "compressed.jsonl.gz",
            "compressed.jsonl.gz: not a text file: gzip-compressed — decompress it first (gunzip)",
        ),
        ("notes.txt", "notes.txt: unsupported file type '.txt'"),
        (
            "broken_array.json",
            "broken_array.json:3: invalid JSON: Expecting property name enclosed in double "
            "quotes (column 38)",
        ),
        ("object.json", "object.json:1: a JSON value spread over several lines"),
        # One line that is no example is that, not a value "spread over several lines".
        ("scalar.json", "scalar.json: no readable row: all 1 are malformed (line 1: a JSON number"),
        ("missing.jsonl", "missing.jsonl: no such file"),
    ],
)
def test_files_that_cannot_be_profiled_give_one_line_user_errors(name, message):
    with pytest.raises(UserError) as caught:
        profile(name)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(str(DATA / message.split(":")[0]))
    assert message in text


def test_a_directory_is_refused():
    with pytest.raises(UserError, match="is a directory, not a file"):
        profile_dataset(DATA)


def test_a_file_where_every_line_is_broken_is_a_user_error(tmp_path):
    path = tmp_path / "all_bad.jsonl"
    path.write_text("not json\nstill not json\n")
    with pytest.raises(UserError, match=r"no readable row: all 2 are malformed \(line 1: "):
        profile_dataset(path)


def test_parquet_without_pyarrow_says_how_to_install_it(tmp_path, monkeypatch):
    path = tmp_path / "train.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(UserError) as caught:
        profile_dataset(path)
    assert "reading Parquet needs pyarrow — pip install 'advisor[parquet]'" in str(caught.value)


def test_json_array_read_in_tiny_blocks_gives_the_same_answer(monkeypatch):
    whole = profile("alpaca.json").to_json()
    monkeypatch.setattr(jsonarray, "BLOCK_BYTES", 7)
    assert profile("alpaca.json").to_json() == whole


def test_json_array_error_line_is_right_across_blocks(monkeypatch):
    monkeypatch.setattr(jsonarray, "BLOCK_BYTES", 5)
    with pytest.raises(UserError, match=r"broken_array\.json:3: invalid JSON"):
        profile("broken_array.json")


def _big_jsonl(path: Path, rows: int) -> None:
    with path.open("w") as out:
        for index in range(rows):
            text = "word " * (10 + index % 50)
            if index == 777:
                text = "x" * 4000  # the longest example: 1000 tokens
            out.write(json.dumps({"text": text}) + "\n")
            if index == 1234:
                out.write('{"text": "cut off\n')  # line 1236, structurally broken


def test_large_files_are_sampled_but_rows_max_and_broken_lines_are_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "FULL_PARSE_BYTES", 10_000)
    monkeypatch.setattr(jsonl, "SAMPLE_ROWS", 100)
    monkeypatch.setattr(jsonl, "BLOCK_BYTES", 8192)
    path = tmp_path / "big.jsonl"
    _big_jsonl(path, 5000)
    p = profile_dataset(path)
    assert p.rows == 5000
    assert p.max_tokens == 1000
    assert p.malformed == [(1236, "invalid JSON: Unterminated string starting at (column 10)")]
    assert p.format == "raw-text"
    assert 50 < p.sampled_rows < 200
    assert p.p95_tokens is not None and 60 <= p.p95_tokens <= 75  # words cycle 10..59


def test_a_line_too_long_to_buffer_is_reported_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(jsonl, "BLOCK_BYTES", 256)
    path = tmp_path / "long.jsonl"
    path.write_text('{"text": "a"}\n' + json.dumps({"text": "y" * 5000}) + '\n{"text": "b"}\n')
    p = profile_dataset(path)
    assert p.rows == 2
    assert p.malformed == [(2, "line is 5,012 bytes long; not parsed")]


def test_a_local_tokenizer_is_used_when_available(tmp_path, monkeypatch):
    class FakeTokenizer:
        @classmethod
        def from_file(cls, path):
            return cls()

        def encode_batch(self, texts, add_special_tokens):
            return [types.SimpleNamespace(ids=text.split()) for text in texts]

    monkeypatch.setitem(sys.modules, "tokenizers", types.SimpleNamespace(Tokenizer=FakeTokenizer))
    (tmp_path / "tokenizer.json").write_text("{}")
    p = profile("raw_text.jsonl", tokenizer_dir=str(tmp_path))
    assert p.token_method == f"tokenizer ({tmp_path / 'tokenizer.json'}), content only"
    assert p.max_tokens == 16  # words in the longest row
    assert p.warnings == []


def test_a_folder_without_tokenizer_json_falls_back_with_a_warning(tmp_path):
    p = profile("raw_text.jsonl", tokenizer_dir=str(tmp_path))
    assert p.token_method == APPROX
    assert p.warnings == [f"no tokenizer.json in {tmp_path}: token lengths are approximate"]


def test_a_missing_tokenizer_folder_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="tokenizer folder not found"):
        profile("raw_text.jsonl", tokenizer_dir=str(tmp_path / "nope"))


def test_profile_json_carries_what_the_report_needs():
    data = profile("broken.jsonl").to_json()
    assert data["malformed"][0] == {
        "line": 2,
        "reason": "invalid JSON: Unterminated string starting at (column 10)",
    }
    assert data["malformed_count"] == 7
    assert data["rows"] == 4


def test_tool_calling_rows_are_chat_and_their_calls_and_tool_schemas_count(tmp_path):
    """OpenAI tool-calling rows: an assistant turn with tool_calls and no content, a `tool`
    turn, the tools' schemas beside the messages. All were refused as malformed, and the
    calls and schemas are text the chat template renders, so they count in the length."""
    schema = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}
    call = {
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
    }
    row = {
        "messages": [
            {"role": "user", "content": "weather in Oslo?"},
            {"role": "assistant", "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "1", "content": "sunny"},
            {"role": "assistant", "content": "Sunny."},
        ],
        "tools": [schema],
    }
    data = tmp_path / "tools.jsonl"
    data.write_text(json.dumps(row) + "\n")
    p = profile_dataset(data)
    assert (p.format, p.rows, p.malformed_count) == ("chat", 1, 0)
    plain = "\n".join(["weather in Oslo?", "", "sunny", "Sunny."])
    assert p.max_tokens > -(-len(plain + json.dumps([call]) + json.dumps([schema])) // 4) - 4
