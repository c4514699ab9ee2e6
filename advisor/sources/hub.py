"""The Hub provider: facts of one repo through the real huggingface_hub client.

Requests per candidate (a bulk run): one `model_info(expand=[...])`, which already carries
cardData (licence, languages, base_model), safetensors parameter counts, tags, siblings with
sizes, gating, baseModels and the `config` summary (architectures, model_type,
quantization_config and tokenizer_config with the special tokens and chat template); plus one
GET of config.json pinned to the commit sha, because context length, rope scaling, sliding
window, vocabulary, EOS ids and tied embeddings exist only there. So two requests, and no HEAD:
the file is read straight from its resolve URL into the answer, never into the HF cache (a
file already in the HF cache costs no request). tokenizer_config.json / chat_template.jinja
are fetched only when the API's summary lacks them, or for `inspect`. Never weights. A base
repo adds one list_models (its instruct children); if that fails, only instruct_sibling is lost.
Answers are cached (advisor.sources.cache) so a repeated run makes no request.

Every problem of one candidate ends up in facts.error_kind / facts.error, never as an
exception: the other candidates proceed. Every request is bounded by the candidate's deadline
and every body by a size cap (advisor.sources.hub_http); every answer is cleaned before it is
used or cached (advisor.sources.hub_answer). huggingface_hub is imported lazily, so importing
this module (and running offline commands) does not pay for it.

Its first request of a process builds a user-agent that fetches {ENDPOINT}/api/agent-harnesses
(agent detection, up to 3 s); we seed that registry as empty, so no such request is made.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from advisor import safefile
from advisor.errors import UserError
from advisor.facts import (
    SOURCE_CATALOG,
    SOURCE_CHAT_TEMPLATE,
    SOURCE_CONFIG,
    SOURCE_HUB_API,
    SOURCE_TOKENIZER_CONFIG,
    ModelFacts,
    family,
    variant,
)
from advisor.sources import catalog, hub_answer, hub_http, modelfiles
from advisor.sources.cache import AnswerCache
from advisor.sources.hub_http import HubProblem, candidate_budget, deadline, request_timeout
from advisor.sources.local import hf_hub_cache
from advisor.sources.redact import redact

EXPAND = [
    "author",
    "baseModels",
    "cardData",
    "config",
    "gated",
    "pipeline_tag",
    "safetensors",
    "sha",
    "siblings",
    "tags",
]
CONFIG_FILE = "config.json"
TOKENIZER_FILE = "tokenizer_config.json"
TEMPLATE_FILE = "chat_template.jinja"
MAX_SMALL_FILE = hub_http.MAX_BODY  # bigger "small files" are refused, never read or cached
MAX_CHILDREN = 50

# What each kind of problem means and what to do next ({page}: the repo's page on the Hub).
_PROBLEMS = {
    "not-found": "not found on the Hub{why} — check the spelling; a private repo needs HF_TOKEN",
    "gated": "gated repo{why} — accept the licence on {page} and set HF_TOKEN",
    "rate-limited": "rate limited by the Hub{why} — wait a few minutes and rerun; setting HF_TOKEN "
    "raises the limit",
    "timeout": "the Hub did not answer in time{why} — rerun, or use --offline or --source catalog",
    "malformed": "the Hub's answer could not be read{why} — rerun later, or use --source catalog",
    "network": "cannot reach {endpoint}{why} — check the connection, proxy or HF_ENDPOINT, or use "
    "--offline",
    "offline": "offline and not in the advisor cache{why} — run once online, or use --source "
    "catalog",
}
ERROR_KINDS = tuple(_PROBLEMS)


def env_offline() -> bool:
    """HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) as huggingface_hub reads it."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().lower() in {"1", "on", "yes", "true"}


def endpoint() -> str:
    """HF_ENDPOINT read at call time (huggingface_hub reads it once, at import); one that is
    no http(s) URL is the user's setting to fix, not a Hub that cannot be reached."""
    value = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is no number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"HF_ENDPOINT={value!r:.80} is not an http(s) URL",
            hint="set it to the Hub or a mirror, e.g. https://huggingface.co, or unset it",
        )
    return value


_setup_lock = threading.Lock()
_setup_done = False


def _client() -> Any:
    """Import huggingface_hub once, install our bounded client, skip the agent-registry fetch."""
    global _setup_done
    import huggingface_hub

    with _setup_lock:
        if not _setup_done:
            hub_http.install(huggingface_hub)
            with contextlib.suppress(ImportError, AttributeError):
                from huggingface_hub.utils import _detect_agent

                if getattr(_detect_agent, "_registry", "absent") is None:
                    _detect_agent._registry = _detect_agent._EMPTY_REGISTRY
            _setup_done = True
    return huggingface_hub


# --- errors ------------------------------------------------------------------------------------


def problem_message(repo_id: str, kind: str, reason: str = "") -> str:
    """A one-line message that says what to do next."""
    why = f" ({reason})" if reason else ""
    text = _PROBLEMS[kind].format(why=why, page=f"{endpoint()}/{repo_id}", endpoint=endpoint())
    return " ".join(redact(f"{repo_id}: {text}").split())  # one line, with the token masked


def classify_exception(exc: BaseException) -> tuple[str, str]:
    """(error kind, short reason) for anything the client raised."""
    if isinstance(exc, HubProblem):
        return exc.kind, str(exc)
    from huggingface_hub import errors as hf_errors

    name = type(exc).__name__
    if isinstance(exc, hf_errors.GatedRepoError):
        return "gated", "HTTP 401/403"
    if isinstance(exc, (hf_errors.RepositoryNotFoundError, hf_errors.RevisionNotFoundError)):
        return "not-found", "HTTP 404"
    if isinstance(exc, hf_errors.OfflineModeIsEnabled):
        return "offline", "HF_HUB_OFFLINE is set"
    if isinstance(exc, hf_errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        kinds = {429: "rate-limited", 401: "gated", 403: "gated", 404: "not-found"}
        return kinds.get(status, "network"), f"HTTP {status}"
    if isinstance(exc, (ValueError, KeyError, TypeError)):  # JSON decode, missing fields
        return "malformed", name
    with contextlib.suppress(ImportError):
        import httpx2 as httpx

        if isinstance(exc, httpx.TimeoutException):
            return "timeout", name
        if isinstance(exc, httpx.HTTPError):
            return "network", name
    if isinstance(exc, OSError):
        return "network", name
    return "malformed", name


def _fail(facts: ModelFacts, kind: str, reason: str = "") -> ModelFacts:
    facts.error_kind = kind
    facts.error = problem_message(facts.repo_id, kind, reason)
    return facts


# --- fetching ----------------------------------------------------------------------------------


@dataclass
class FetchOptions:
    """How one Hub fetch may go: offline, refreshed, and how much it reads."""

    offline: bool = False
    refresh: bool = False
    children: bool = True  # look up a base repo's instruct children
    all_files: bool = False  # inspect: tokenizer_config.json and the template file too


def fetch(repo_id: str, options: FetchOptions) -> ModelFacts:
    """Facts of one Hub repo. Never raises for a Hub problem: see facts.error_kind."""
    cache = AnswerCache()
    offline = options.offline or env_offline()
    answer = None if options.refresh else _cached(cache.current(repo_id, allow_stale=offline))
    cached = answer is not None
    if answer is None and offline:
        return _fail(ModelFacts(repo_id), "offline")
    with deadline(candidate_budget()):  # around every request of this candidate
        if answer is None:
            try:
                answer = _fetch_answer(repo_id, options, cache)
            except Exception as exc:  # every failure of one candidate stays with that candidate
                return _fail(ModelFacts(repo_id), *classify_exception(exc))
        facts = facts_from_answer(answer, cached=cached)
        base = facts.get("variant") == "base"
        if offline or (completed := _complete_answer(answer, options, cache, base)) is None:
            return facts
        return facts_from_answer(completed, cached=cached)


def _cached(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    """A cached answer fit to use: about this repo, with its fields well typed and nothing a
    fresh answer would have had cleaned (a cache file may be old, damaged or edited by hand; a
    bad one costs a request, not the run)."""
    # repo_id is the Hub's spelling (its case may differ from the request): only its type counts.
    if answer is None or not all(isinstance(answer.get(k), str) for k in ("repo_id", "sha")):
        return None
    # One that clean() would change was not written by this version (it is parsed JSON, so no
    # tuple or non-string key, which clean() converts, can make the difference).
    return None if hub_answer.clean(answer) != answer else well_typed(answer)


def _complete_answer(
    answer: dict[str, Any], options: FetchOptions, cache: AnswerCache, base: bool
) -> dict[str, Any] | None:
    """Add what an answer lacks: a base repo's instruct children, the files `inspect` reads
    (None when it lacks nothing)."""
    children = base and options.children and "children" not in answer
    if not children and not _wanted_files(answer, options) - set(answer.get("files", {})):
        return None
    with contextlib.suppress(Exception):  # keep what the answer had; missing facts stay unknown
        _download_files(answer, options)
        if children:  # repos that declare themselves its fine-tunes, most downloaded first
            finetunes = f"base_model:finetune:{answer['repo_id']}"
            api = _client().HfApi(endpoint=endpoint())
            found = api.list_models(filter=finetunes, sort="downloads", limit=MAX_CHILDREN)
            answer["children"] = hub_answer.clean([m.id for m in found])
        if not answer.get("file_errors"):
            cache.put(answer["repo_id"], answer["sha"], answer)
    return answer


def _fetch_answer(repo_id: str, options: FetchOptions, cache: AnswerCache) -> dict[str, Any]:
    hf = _client()
    api = hf.HfApi(endpoint=endpoint())
    info = api.model_info(repo_id, expand=EXPAND, timeout=request_timeout())
    sha = info.sha
    if not isinstance(sha, str) or not sha:
        raise HubProblem("malformed", "no commit sha in the answer")
    if not options.refresh and (known := _cached(cache.get(repo_id, sha))) is not None:
        cache.touch(repo_id, sha)  # same commit: reuse files and children fetched before
        return known
    answer: dict[str, Any] = {
        "repo_id": info.id,
        "sha": sha,
        "author": info.author,
        "gated": info.gated,
        "tags": list(info.tags or []),
        "pipeline_tag": info.pipeline_tag,
        "card_data": info.card_data.to_dict() if info.card_data is not None else None,
        "config": info.config if isinstance(info.config, dict) else None,
        "safetensors": (
            {"parameters": dict(info.safetensors.parameters), "total": info.safetensors.total}
            if info.safetensors is not None
            else None
        ),
        "base_models": info.base_models,
        "siblings": [s.rfilename for s in info.siblings or []],
        "sibling_sizes": {s.rfilename: s.size for s in info.siblings or [] if s.size is not None},
    }
    # Cleaned before anything reads it (10**400, NaN, an echoed token), then cached clean.
    answer = hub_answer.clean(answer)
    if not isinstance(answer.get("repo_id"), str) or not isinstance(answer.get("sha"), str):
        raise HubProblem("malformed", "no repo id or commit sha in the answer")
    _download_files(answer, options)
    if not answer.get("file_errors"):
        cache.put(repo_id, sha, answer)
    return answer


def _wanted_files(answer: dict[str, Any], options: FetchOptions) -> set[str]:
    """Small files worth a download. The API's config already carries tokenizer_config
    (special tokens, chat template) for most repos, so a bulk run skips those files."""
    listed = set(answer.get("siblings") or [])
    api_tok = (answer.get("config") or {}).get("tokenizer_config")  # config: a dict or None
    wanted = {CONFIG_FILE}
    if options.all_files or not isinstance(api_tok, dict):
        wanted |= {TOKENIZER_FILE, TEMPLATE_FILE}
    elif not api_tok.get("chat_template"):
        wanted.add(TEMPLATE_FILE)
    return {f for f in wanted if f in listed}


def _download_files(answer: dict[str, Any], options: FetchOptions) -> None:
    files: dict[str, Any] = answer.setdefault("files", {})
    errors: dict[str, str] = {}
    for name in sorted(_wanted_files(answer, options) - set(files)):
        size = (answer.get("sibling_sizes") or {}).get(name)
        try:
            if isinstance(size, int) and size > MAX_SMALL_FILE:
                raise hub_http.too_large()  # known from the listing: not even asked
            body = _small_file(answer["repo_id"], answer["sha"], name)
        except Exception as exc:
            if type(exc).__name__ in ("RemoteEntryNotFoundError", "EntryNotFoundError"):
                files[name] = None
                continue
            kind, reason = classify_exception(exc)
            errors[name] = kind
            answer["file_error_reason"] = reason
            if kind in ("timeout", "rate-limited", "network"):
                break  # the next file would meet the same problem
            continue
        files[name] = hub_answer.clean(_parse_small(body, name))
    if errors:
        answer["file_errors"] = errors
    else:
        answer.pop("file_errors", None)
        answer.pop("file_error_reason", None)


def _small_file(repo_id: str, sha: str, name: str) -> bytes:
    """A small file at a commit: from the HF cache when it is there (no request), else one GET
    of its resolve URL through the bounded client (capped; never written to the HF cache)."""
    hf = _client()
    cached = hf.try_to_load_from_cache(repo_id, name, cache_dir=str(hf_hub_cache()), revision=sha)
    if isinstance(cached, str):
        # Unreadable, not a regular file or over the cap (FileRefused): fetched instead.
        with contextlib.suppress(OSError, ValueError):
            return safefile.read_capped(cached, MAX_SMALL_FILE)
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status

    url = hf.hf_hub_url(repo_id, name, revision=sha, endpoint=endpoint())
    response = hf.get_session().get(url, headers=build_hf_headers(), follow_redirects=True)
    hf_raise_for_status(response)
    return response.content


def _parse_small(body: bytes, name: str) -> Any:
    if name.endswith(".jinja"):
        return body.decode("utf-8", errors="replace")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None  # a damaged file teaches nothing; its facts stay unknown


# --- answer -> facts ---------------------------------------------------------------------------

_STRING_LISTS = ("tags", "siblings", "children")  # lists of repo ids, file names or tags
_ANSWER_TYPES: dict[str, tuple[type, ...]] = {
    "sha": (str,),
    "base_models": (dict, list),
    **dict.fromkeys(_STRING_LISTS, (list,)),
    **dict.fromkeys(
        ("sibling_sizes", "files", "config", "card_data", "safetensors", "file_errors"), (dict,)
    ),
}


def well_typed(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with every field of the type the readers expect; a field of another type is
    dropped. An answer comes from the Hub or from a cache file that may be old, damaged or
    edited: one wrongly typed field must cost its own facts, never the candidate or the run."""
    out = {k: v for k, v in answer.items() if isinstance(v, _ANSWER_TYPES.get(k, object))}
    for key in _STRING_LISTS:
        if key in out:
            out[key] = [item for item in out[key] if isinstance(item, str)]
    if "file_errors" in out:
        out["file_errors"] = {
            str(name): kind if kind in ERROR_KINDS else "malformed"
            for name, kind in out["file_errors"].items()
        }
    return out


def base_relation(answer: dict[str, Any]) -> tuple[str | None, str | None]:
    """(parent repo, relation) from baseModels, else from base_model:<relation>:<id> tags (of a
    well_typed answer: tags are strings)."""
    raw = answer.get("base_models")
    if isinstance(raw, dict):
        listed = raw.get("models") if isinstance(raw.get("models"), list) else []
        models = [m.get("id") for m in listed if isinstance(m, dict)]
        relation = raw.get("relation")
        if len(models) == 1 and isinstance(models[0], str):
            return models[0], relation if isinstance(relation, str) else None
    elif isinstance(raw, list) and len(raw) == 1:
        parent = raw[0].get("id") if isinstance(raw[0], dict) else raw[0]
        if isinstance(parent, str):
            return parent, None
    for tag in answer.get("tags") or []:
        parts = tag.split(":", 2)
        if len(parts) == 3 and parts[0] == "base_model" and parts[1] != "base_model":
            return parts[2], parts[1]
    return None, None


def facts_from_answer(answer: dict[str, Any], *, cached: bool) -> ModelFacts:
    answer = well_typed(answer)
    repo_id = answer["repo_id"]
    sha = answer.get("sha") or ""
    at = f"{repo_id}@{sha[:10]}"
    api_detail = "Hub API" + (" (cached answer)" if cached else "")
    facts = ModelFacts(repo_id)
    facts.set("repo_id", repo_id, SOURCE_HUB_API, at)
    files = answer.get("files") or {}

    if (gated := answer.get("gated")) is not None:
        detail = f"{api_detail}: gated={gated!r}" if gated else api_detail
        facts.set("gated", bool(gated), SOURCE_HUB_API, detail)
    modelfiles.apply_config(facts, files.get(CONFIG_FILE), f"{at}/{CONFIG_FILE}", SOURCE_CONFIG)
    modelfiles.apply_config(facts, answer.get("config"), f"{api_detail} config", SOURCE_HUB_API)

    template = files.get(TEMPLATE_FILE)
    if isinstance(template, str):
        modelfiles.apply_template(facts, template, f"{at}/{TEMPLATE_FILE}")
    tok_file = files.get(TOKENIZER_FILE)
    api_tok = (answer.get("config") or {}).get("tokenizer_config")
    modelfiles.apply_tokenizer_config(
        facts, tok_file, SOURCE_TOKENIZER_CONFIG, f"{at}/{TOKENIZER_FILE}"
    )
    modelfiles.apply_tokenizer_config(
        facts, api_tok, SOURCE_HUB_API, f"{api_detail} config.tokenizer_config"
    )
    template_listed = TEMPLATE_FILE in (answer.get("siblings") or [])
    if (isinstance(tok_file, dict) or isinstance(api_tok, dict)) and not template_listed:
        why = "no chat_template in tokenizer_config and no chat_template.jinja"
        facts.set_default("chat_template_present", False, SOURCE_CHAT_TEMPLATE, why)

    modelfiles.apply_card(facts, answer.get("card_data"), SOURCE_HUB_API, f"{api_detail} cardData")
    parent, relation = base_relation(answer)
    if parent:
        how = f" (relation: {relation})" if relation else ""
        facts.set("base_model", parent, SOURCE_HUB_API, f"{api_detail} baseModels{how}")
    _apply_params(facts, answer, parent, relation)

    variant.classify(
        facts,
        tags=answer.get("tags") or [],
        base_relation=relation,
        base_variant=catalog.variant_of(parent),
        relation_checked="base_models" in answer,
        special_token_ids=modelfiles.special_tokens(tok_file),
        card_base_model_relation=modelfiles.card_relation(answer.get("card_data")),
    )
    if facts.get("variant") == "base" and answer.get("children") is not None:
        child = family.pick_instruct_child(repo_id, answer["children"])
        if child:
            found_by = "list_models base_model:finetune, same author"
            facts.set("instruct_sibling", child, SOURCE_HUB_API, found_by)
    if file_errors := answer.get("file_errors"):
        kind = next(iter(file_errors.values()))
        if kind == "gated":
            facts.set("gated", True, SOURCE_HUB_API, "file download refused (gated)")
        reason = answer.get("file_error_reason", "")
        _fail(facts, kind, f"{', '.join(sorted(file_errors))}: {reason}")
    return facts


def _apply_params(
    facts: ModelFacts, answer: dict[str, Any], parent: str | None, relation: str | None
) -> None:
    """safetensors.parameters, unpacked for 4-bit storage and checked against the base model."""
    counts = (answer.get("safetensors") or {}).get("parameters")  # well_typed: a dict, or absent
    if not isinstance(counts, dict) or not counts:
        return
    config = (answer.get("files") or {}).get(CONFIG_FILE) or answer.get("config")
    bits = modelfiles.quant_bits(config)
    numbers = {str(k): v for k, v in counts.items() if type(v) is int and v >= 0}  # no bool
    total, note = modelfiles.param_count(numbers, bits)
    detail = "Hub API safetensors.parameters" + (f"; {note}" if note else "")
    packed = any(k in ("U8", "I32") for k in counts)
    parent_params = None
    if parent and (relation == "quantized" or bits or packed):
        parent_facts = catalog.lookup(parent)
        parent_params = parent_facts.get("params_b") if parent_facts else None
    if isinstance(parent_params, (int, float)) and parent_params > 0:
        ratio = total / 1e9 / parent_params
        if not 0.8 <= ratio <= 1.25:
            why = f"quantised storage counts {total / 1e9:.3f}B; base model {parent} "
            why += f"has {parent_params}B (catalog)"
            facts.set("params_b", parent_params, SOURCE_CATALOG, why)
            return
        detail += f"; matches base model {parent} ({parent_params}B)"
    modelfiles.apply_params(facts, total, SOURCE_HUB_API, detail)
