"""A loopback fake of the Hugging Face Hub that the real huggingface_hub client talks to.

Serves the endpoints the client uses (measured against huggingface_hub 2.4):
  GET  /api/models/{org}/{name}[/revision/{rev}]       model_info (expand=... ignored: all sent)
  GET  /api/models?filter=base_model:finetune:{id}       list_models (children)
  HEAD /{org}/{name}/resolve/{rev}/{file}                metadata: X-Repo-Commit + ETag needed
  GET  /{org}/{name}/resolve/{rev}/{file}                the file
Errors carry X-Error-Code (RepoNotFound, EntryNotFound, GatedRepo) like the Hub.

Payloads are built from tests/fixtures/hub (copies of shared/data: a real Qwen2.5-0.5B-Instruct
config.json / tokenizer_config.json and real chat templates) and hub-metadata.yaml values.
Faults per repo: latency, 404, gated (401 on files), 403, 429 with Retry-After, 500, 503,
truncated JSON, fields of the wrong type in model_info (`patch`), a response that never
finishes (bounded by `hang_seconds` so tests end), and hostile answers on model_info or on a
file (`on`): a 1 byte/s trickle (`drip`), an endless chunked body (`huge`), a gzip bomb
(`gzip-bomb`) and the request's Authorization header echoed into the card (`reflect`). A fault
`on="file"` also drops the sizes from the siblings list, so the client cannot know the size
in advance. Every hostile answer is bounded in bytes and seconds (`Fault.size`,
`Fault.seconds`) and stops when the client goes away or the hub stops.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "hub"
LIST_MODELS = "(list_models)"  # the key of a fault on list_models in FakeHub.faults


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


def fixture_json(name: str) -> Any:
    return json.loads(fixture_text(name))


@dataclass
class Repo:
    repo_id: str
    files: dict[str, bytes] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    sha: str = ""

    def __post_init__(self) -> None:
        if not self.sha:
            self.sha = hashlib.sha1(self.repo_id.encode()).hexdigest()


@dataclass
class Fault:
    # 404 | gated | 403 | 429 | 500 | 503 | truncated | hang | patch | drip | huge | gzip-bomb
    # | reflect
    kind: str
    times: int | None = None  # how many requests it affects (None: all)
    retry_after: int = 1
    # kind "patch": model_info fields replaced by these values (e.g. {"safetensors": "x"})
    patch: dict[str, Any] | None = None
    on: str = "api"  # drip / huge / gzip-bomb: "api" (model_info) or "file" (every file)
    size: int = 1 << 30  # huge / gzip-bomb: bytes sent (huge) or unpacked (gzip-bomb)
    seconds: float = 30.0  # drip: how long the trickle lasts at most


_CHUNK = 1 << 20


@functools.lru_cache(maxsize=2)
def gzip_bomb(unpacked: int) -> bytes:
    """A valid gzip stream of `unpacked` spaces (a JSON document of whitespace): ~1 kB per MiB.

    Built from one compressed MiB repeated (after a full flush the compressor's output for the
    same input repeats), so a 2 GB bomb takes well under a second to make, CRC included."""
    chunk = b" " * _CHUNK
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    final = packer.flush()[:-8]  # the last (empty) block, without the 3-MiB trailer
    count = max(2, unpacked // _CHUNK)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    trailer = struct.pack("<II", crc, (count * _CHUNK) & 0xFFFFFFFF)
    return first + again * (count - 1) + final + trailer


def _tokenizer(eos: str, template: str | None, pad: str | None = None) -> dict[str, Any]:
    tok = copy.deepcopy(fixture_json("qwen2.5-0.5b-instruct.tokenizer_config.json"))
    tok["eos_token"] = eos
    tok["pad_token"] = pad or "<|endoftext|>"
    if template is None:
        tok.pop("chat_template", None)
    else:
        tok["chat_template"] = template
    return tok


def make_repo(
    repo_id: str,
    *,
    config: dict[str, Any],
    tokenizer: dict[str, Any] | None,
    template_file: str | None = None,
    base: tuple[str, str] | None = None,
    params: dict[str, int] | None = None,
    gated: Any = False,
    license: str = "apache-2.0",
    tags: list[str] | None = None,
) -> Repo:
    """A repo as model_info(expand=[...]) shows it, with its small files."""
    files: dict[str, bytes] = {"config.json": json.dumps(config, indent=2).encode()}
    if tokenizer is not None:
        files["tokenizer_config.json"] = json.dumps(tokenizer, indent=2).encode()
    if template_file is not None:
        files["chat_template.jinja"] = template_file.encode()
    all_tags = list(tags or ["transformers", "safetensors", "text-generation"])
    card: dict[str, Any] = {"license": license, "language": ["en"]}
    base_models = None
    if base:
        parent, relation = base
        all_tags.append(f"base_model:{relation}:{parent}")
        card["base_model"] = parent
        base_models = {"relation": relation, "models": [{"id": parent}]}
    api_config: dict[str, Any] = {
        "architectures": config.get("architectures"),
        "model_type": config.get("model_type"),
    }
    if tokenizer is not None:
        api_config["tokenizer_config"] = {
            k: tokenizer.get(k)
            for k in ("bos_token", "eos_token", "pad_token", "chat_template")
            if tokenizer.get(k) is not None
        }
    if "quantization_config" in config:
        api_config["quantization_config"] = config["quantization_config"]
    repo = Repo(repo_id, files)
    repo.info = {
        "_id": repo.sha[:24],
        "id": repo_id,
        "author": repo_id.split("/")[0],
        "sha": repo.sha,
        "gated": gated,
        "private": False,
        "tags": all_tags,
        "pipeline_tag": "text-generation",
        "cardData": card,
        "config": api_config,
        "safetensors": {"parameters": params, "total": sum(params.values())} if params else None,
        "siblings": [{"rfilename": n, "size": len(b)} for n, b in sorted(files.items())]
        + [{"rfilename": "model.safetensors", "size": 988_097_824}],
    }
    if base_models is not None:
        repo.info["baseModels"] = base_models
    return repo


def standard_repos() -> list[Repo]:
    """The traps of shared/data as Hub repos (values from hub-metadata.yaml)."""
    qwen_cfg = fixture_json("qwen2.5-0.5b-instruct.config.json")
    qwen_tok = fixture_json("qwen2.5-0.5b-instruct.tokenizer_config.json")
    chatml = qwen_tok["chat_template"]
    qwen_base_cfg = qwen_cfg | {"eos_token_id": 151643}
    qwen3_cfg = qwen_cfg | {
        "architectures": ["Qwen3ForCausalLM"],
        "model_type": "qwen3",
        "max_position_embeddings": 40960,
    }
    gemma3_cfg = {
        "architectures": ["Gemma3ForCausalLM"],
        "model_type": "gemma3_text",
        "max_position_embeddings": 32768,
        "sliding_window": 512,
        "vocab_size": 262144,
        "eos_token_id": [1, 106],
        "pad_token_id": 0,
    }
    gemma_tok = {
        "tokenizer_class": "GemmaTokenizer",
        "bos_token": "<bos>",
        "eos_token": "<eos>",
        "pad_token": "<pad>",
    }
    gemma_tmpl = fixture_text("google__gemma-2-2b-it.jinja")
    gemma2_cfg = {
        "architectures": ["Gemma2ForCausalLM"],
        "model_type": "gemma2",
        "max_position_embeddings": 8192,
        "sliding_window": 4096,
        "vocab_size": 256000,
        "eos_token_id": 1,
        "pad_token_id": 0,
    }
    phi_cfg = {
        "architectures": ["Phi3ForCausalLM"],
        "model_type": "phi3",
        "max_position_embeddings": 16384,
        "vocab_size": 100352,
        "eos_token_id": 100257,
    }
    bnb = {"quant_method": "bitsandbytes", "load_in_4bit": True, "bnb_4bit_quant_type": "nf4"}
    return [
        make_repo(
            "Qwen/Qwen2.5-0.5B-Instruct",
            config=qwen_cfg,
            tokenizer=qwen_tok,
            base=("Qwen/Qwen2.5-0.5B", "finetune"),
            params={"BF16": 494_032_768},
            tags=["transformers", "safetensors", "conversational"],
        ),
        # A base repo that ships a ChatML template: still base (eos differs from <|im_end|>).
        make_repo(
            "Qwen/Qwen2.5-0.5B",
            config=qwen_base_cfg,
            tokenizer=_tokenizer("<|endoftext|>", chatml),
            params={"BF16": 494_032_768},
        ),
        make_repo(
            "Qwen/Qwen3-0.6B",
            config=qwen3_cfg | {"tie_word_embeddings": True},
            tokenizer=_tokenizer("<|im_end|>", None),
            template_file=fixture_text("Qwen__Qwen3-0.6B.jinja"),
            base=("Qwen/Qwen3-0.6B-Base", "finetune"),
            params={"BF16": 751_632_384},
        ),
        make_repo(
            "Qwen/Qwen3-0.6B-Base",
            config=qwen3_cfg | {"max_position_embeddings": 32768},
            tokenizer=_tokenizer("<|endoftext|>", None),
            params={"BF16": 751_632_384},
        ),
        make_repo(
            "google/gemma-3-1b-pt",
            config=gemma3_cfg,
            tokenizer=gemma_tok,
            params={"BF16": 999_885_952},
            license="gemma",
            gated="manual",
        ),
        make_repo(
            "google/gemma-3-1b-it",
            config=gemma3_cfg,
            tokenizer=gemma_tok | {"chat_template": gemma_tmpl},
            base=("google/gemma-3-1b-pt", "finetune"),
            params={"BF16": 999_885_952},
            license="gemma",
            gated="manual",
        ),
        make_repo(
            "google/gemma-2-2b",
            config=gemma2_cfg,
            tokenizer=gemma_tok,
            params={"F32": 2_614_341_888},
            license="gemma",
        ),
        make_repo(
            "microsoft/phi-4",
            config=phi_cfg,
            tokenizer={"tokenizer_class": "GPT2Tokenizer", "eos_token": "<|endoftext|>"},
            params={"BF16": 14_659_507_200},
            license="mit",
        ),
        make_repo(
            "tiiuae/Falcon3-1B-Base",
            config={
                "architectures": ["LlamaForCausalLM"],
                "model_type": "llama",
                "vocab_size": 131072,
                "eos_token_id": 11,
            },
            tokenizer=None,
            params={"BF16": 1_669_408_768},
            license="other",
            tags=["transformers"],
        ),
        # A 4-bit quantisation of an instruct model: instruct, and its params unpacked.
        make_repo(
            "someone/Qwen2.5-0.5B-Instruct-bnb-4bit",
            config=qwen_cfg | {"quantization_config": bnb},
            tokenizer=qwen_tok,
            base=("Qwen/Qwen2.5-0.5B-Instruct", "quantized"),
            params={"BF16": 136_178_560, "U8": 178_927_104},
        ),
        # A fine-tune with no suffix at all, of an instruct model: instruct by its relation.
        make_repo(
            "someone/support-bot",
            config=qwen_cfg,
            tokenizer=qwen_tok,
            base=("Qwen/Qwen2.5-0.5B-Instruct", "finetune"),
            params={"BF16": 494_032_768},
        ),
        make_repo(
            "meta-llama/Llama-3.2-1B",
            config={
                "architectures": ["LlamaForCausalLM"],
                "model_type": "llama",
                "max_position_embeddings": 131072,
                "vocab_size": 128256,
                "rope_scaling": {"rope_type": "llama3", "factor": 32.0},
            },
            tokenizer=None,
            params={"BF16": 1_235_814_400},
            license="llama3.2",
            gated="manual",
        ),
    ]


CHILDREN = {
    "Qwen/Qwen2.5-0.5B": ["someone/qwen-0.5b-chat-ft", "Qwen/Qwen2.5-0.5B-Instruct"],
    "Qwen/Qwen3-0.6B-Base": ["Qwen/Qwen3-0.6B"],
    "google/gemma-3-1b-pt": ["google/gemma-3-1b-it"],
}


class FakeHub:
    """Start with `with FakeHub(repos) as hub:`; hub.url is the HF_ENDPOINT to use."""

    def __init__(
        self, repos: list[Repo] | None = None, *, latency: float = 0.0, hang_seconds: float = 3.0
    ) -> None:
        self.repos = {r.repo_id: r for r in (repos if repos is not None else standard_repos())}
        self.children = dict(CHILDREN)
        self.latency = latency
        self.hang_seconds = hang_seconds
        self.faults: dict[str, Fault] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def count(self, prefix: str = "") -> int:
        with self._lock:
            return sum(1 for _, path, _ in self.requests if path.startswith(prefix))

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def _fault_for(self, repo_id: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(repo_id)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            return fault


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of concurrent clients, which
    # then wait a 1 s SYN retry: a stall no real Hub front end has.
    request_queue_size = 256

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        # Without it, small keep-alive responses wait for the peer's delayed ACK (~40 ms).
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _send(
            self,
            status: int,
            body: bytes = b"",
            headers: dict[str, str] | None = None,
            head: bool = False,
            ctype: str = "application/json",
        ) -> None:
            if hub.latency:
                time.sleep(hub.latency)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _error(self, status: int, code: str, head: bool, extra: dict[str, str] | None = None):
            body = json.dumps({"error": code}).encode()
            self._send(status, body, {"X-Error-Code": code, **(extra or {})}, head)

        def _serve(self, head: bool) -> None:
            split = urlsplit(self.path)
            path = unquote(split.path)
            with hub._lock:
                hub.requests.append((self.command, path, dict(self.headers)))
            if path == "/api/models":
                return self._list(parse_qs(split.query), head)
            if path.startswith("/api/models/"):
                parts = path[len("/api/models/") :].split("/")
                return self._info("/".join(parts[:2]), head)
            parts = path.strip("/").split("/")
            if len(parts) >= 5 and parts[2] == "resolve":
                return self._file("/".join(parts[:2]), parts[3], "/".join(parts[4:]), head)
            self._error(404, "NotFound", head)

        def _apply_fault(self, repo_id: str, head: bool, api: bool) -> bool:
            fault = hub._fault_for(repo_id)
            if fault is None:
                return False
            if fault.kind == "404":
                self._error(404, "RepoNotFound", head)
            elif fault.kind == "gated":
                if api:
                    return False  # model_info of a gated repo works; its files do not
                self._error(401, "GatedRepo", head)
            elif fault.kind == "429":
                self._error(429, "RateLimited", head, {"Retry-After": str(fault.retry_after)})
            elif fault.kind == "500":
                self._error(500, "InternalError", head)
            elif fault.kind == "503":
                self._error(503, "ServiceUnavailable", head)
            elif fault.kind == "403":
                self._error(403, "Forbidden", head)
            elif fault.kind == "patch":
                if not api:
                    return False  # files are served as usual
                info = {**hub.repos[repo_id].info, **(fault.patch or {})}
                self._send(200, json.dumps(info).encode(), head=head)
            elif fault.kind == "truncated":
                body = json.dumps(hub.repos[repo_id].info).encode()[:57]
                self._send(200, body, head=head)
            elif fault.kind in ("drip", "huge", "gzip-bomb", "reflect"):
                if fault.on != ("api" if api else "file"):
                    return False
                self._hostile(fault, repo_id, head)
            elif fault.kind == "hang":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b'{"id": ')
                self.wfile.flush()
                hub._stop.wait(hub.hang_seconds)
                self.close_connection = True
            return True

        def _info(self, repo_id: str, head: bool) -> None:
            if self._apply_fault(repo_id, head, api=True):
                return
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(404, "RepoNotFound", head)
            info = repo.info
            fault = hub.faults.get(repo_id)
            if fault is not None and fault.on == "file":
                siblings = [{"rfilename": s["rfilename"]} for s in info.get("siblings") or []]
                info = {**info, "siblings": siblings}  # sizes unknown in advance
            self._send(200, json.dumps(info).encode(), head=head)

        def _hostile(self, fault: Fault, repo_id: str, head: bool) -> None:
            """drip / huge / gzip-bomb / reflect: each bounded in bytes and time."""
            if fault.kind == "reflect":
                seen = self.headers.get("Authorization") or ""
                info = copy.deepcopy(hub.repos[repo_id].info)
                info["cardData"] = {**info["cardData"], "license": seen, "base_model": seen}
                info["config"] = {**info["config"], "model_type": seen}
                return self._send(200, json.dumps(info).encode(), head=head)
            if fault.kind == "gzip-bomb":
                body = gzip_bomb(fault.size)
                return self._send(200, body, {"Content-Encoding": "gzip"}, head)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            repo = hub.repos[repo_id]
            self.send_header("X-Repo-Commit", repo.sha)  # what a file answer carries
            self.send_header("ETag", f'"{hashlib.sha256(repo.sha.encode()).hexdigest()}"')
            self.end_headers()
            self.close_connection = True
            if head:
                return
            try:
                if fault.kind == "drip":
                    body = json.dumps(hub.repos[repo_id].info).encode()
                    ends = time.monotonic() + fault.seconds
                    for byte in body:
                        if hub._stop.is_set() or time.monotonic() > ends:
                            return
                        self.wfile.write(b"1\r\n" + bytes([byte]) + b"\r\n")
                        self.wfile.flush()
                        hub._stop.wait(1.0)
                else:  # huge: a JSON string that never ends, in 1 MiB chunks
                    chunk = b"a" * _CHUNK
                    self.wfile.write(b"8\r\n" + b'{"id": "' + b"\r\n")
                    for _ in range(max(1, fault.size // _CHUNK)):
                        if hub._stop.is_set():
                            return
                        self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass  # the client gave up, as it should

        def _list(self, query: dict[str, list[str]], head: bool) -> None:
            if self._apply_fault(LIST_MODELS, head, api=True):  # a status fault only
                return
            found: list[str] = []
            for value in query.get("filter", []):
                if value.startswith("base_model:finetune:"):
                    found += hub.children.get(value.split(":", 2)[2], [])
            body = [{"id": rid, "_id": rid, "modelId": rid} for rid in found]
            self._send(200, json.dumps(body).encode(), head=head)

        def _file(self, repo_id: str, revision: str, name: str, head: bool) -> None:
            if self._apply_fault(repo_id, head, api=False):
                return
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(404, "RepoNotFound", head)
            if revision not in (repo.sha, "main"):
                return self._error(404, "RevisionNotFound", head)
            body = repo.files.get(name)
            if body is None:
                return self._error(404, "EntryNotFound", head, {"X-Repo-Commit": repo.sha})
            etag = hashlib.sha256(body).hexdigest()
            headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{etag}"'}
            self._send(200, body, headers, head, ctype="application/octet-stream")

    return Handler
