"""Every Hub request bounded in time and in size: the client huggingface_hub uses for us.

- Time: a candidate's deadline (`deadline(seconds)`, around all of its requests) reaches every
  socket connect, read and write through a network backend. A per-read timeout alone never ends
  a server that trickles 1 byte/s (each read succeeds), and checking the budget between
  requests never ends a trickling body; at the socket both end on time, with no thread left
  behind.
- Size: a response body is read here, before the client sees it, and decoded here: at most
  MAX_BODY bytes *after* decompression (gzip/deflate only), so a chunked body without end or a
  gzip bomb stops at the cap instead of filling memory or the disk.
- Retries: 429 and 5xx are retried within the deadline; what remains becomes a HubProblem,
  which huggingface_hub does not retry (its own retries have no overall bound).

huggingface_hub 2.x talks through httpx2/httpcore2; both are imported only when a request is
made, so offline commands never pay for them.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

# No Hub answer or small file we read comes near it: the largest tokenizer_config.json seen is
# 362 kB, model_info of a 10,000-file repo about 1 MB. Counted after decompression.
MAX_BODY = 8 * 1024 * 1024
MAX_RETRIES = 3
# Requests at once (resolve runs this many candidates together, each one request at a time), and
# the connections the pool keeps: httpx keeps 20, so the rest were closed and opened again.
MAX_IN_FLIGHT = 100
_ACCEPTED_ENCODINGS = "gzip, deflate"  # the ones decoded here, with a bound


class HubProblem(Exception):
    """A failure of one candidate, with its kind (raised by our transport)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def too_large() -> HubProblem:
    return HubProblem("malformed", f"over the {MAX_BODY // (1024 * 1024)} MB limit, refused")


def request_timeout() -> float:
    """Seconds one request may take (ADVISOR_HUB_TIMEOUT, default 10)."""
    return _env_float("ADVISOR_HUB_TIMEOUT", 10.0)


def candidate_budget() -> float:
    """Seconds all requests of one candidate may take, retries, waits and bodies included."""
    return _env_float("ADVISOR_HUB_BUDGET", 60.0)


def _env_float(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if 0 < value < 86400 else default


# --- the deadline ------------------------------------------------------------------------------

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every request of this thread inside the block ends by now + seconds."""
    saved = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = saved


def remaining() -> float | None:
    """Seconds left before this thread's deadline (None: no deadline)."""
    ends = getattr(_local, "deadline", None)
    return None if ends is None else ends - time.monotonic()


def _bounded(timeout: float | None, timeout_error: Callable[[str], Exception]) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise timeout_error("the time allowed for this repo ran out")
    return left if timeout is None else min(timeout, left)


def _deadline_backend(httpcore: Any) -> Any:
    """A network backend whose every socket operation also ends at the thread's deadline."""

    class DeadlineStream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self._inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: Any = None, timeout: Any = None):
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, bounded))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    # Only TCP: the pool connects through a unix socket only when made with uds=, which ours is
    # not; and the base class's sleep (for the pool's own connect retries, none here) is time's.
    class DeadlineBackend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._inner = httpcore.SyncBackend()

        def connect_tcp(self, host: str, port: int, timeout: Any = None, **kwargs: Any) -> Any:
            bounded = _bounded(timeout, httpcore.ConnectTimeout)
            return DeadlineStream(self._inner.connect_tcp(host, port, bounded, **kwargs))

    return DeadlineBackend()


# --- the capped body ---------------------------------------------------------------------------


def read_capped(chunks: Iterable[bytes], encoding: str) -> bytes:
    """The body, decoded, or HubProblem if it is over MAX_BODY bytes decoded (a gzip bomb stops
    after MAX_BODY bytes of output, whatever its packed size) or if it cannot be decoded."""
    coding = encoding.strip().lower()
    if coding in ("", "identity"):
        decoder = None
    elif coding in ("gzip", "x-gzip", "deflate"):
        decoder = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected
    else:
        raise HubProblem("malformed", f"unsupported Content-Encoding {encoding[:20]!r}")
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            if decoder is not None:
                if decoder.eof:
                    continue  # bytes after the end of the gzip stream are not content
                # max_length: never more output than the room left (+1 to notice the excess).
                chunk = decoder.decompress(chunk, MAX_BODY - size + 1)
            size += len(chunk)
            if size > MAX_BODY:
                raise too_large()
            parts.append(chunk)
        if decoder is not None and not decoder.eof:
            tail = decoder.flush()
            size += len(tail)
            if size > MAX_BODY:
                raise too_large()
            parts.append(tail)
    except zlib.error:
        raise HubProblem("malformed", f"damaged {coding} data") from None
    return b"".join(parts)


# --- the transport -----------------------------------------------------------------------------


def _retry_after(headers: Any) -> float | None:
    value = (headers.get("retry-after") or "").strip()
    return float(value) if value.isdigit() and len(value) < 7 else None


def _make_transport(httpx: Any, httpcore: Any) -> Any:
    class BoundedTransport(httpx.BaseTransport):
        """Deadline on every socket operation, capped bodies, bounded retries of 429/5xx."""

        def __init__(self, proxy: str | None = None) -> None:
            limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=None)
            try:
                self._inner = httpx.HTTPTransport(limits=limits, proxy=proxy)
            except Exception as exc:  # a SOCKS proxy without socksio, a malformed proxy URL
                raise HubProblem("network", f"the proxy {proxy} cannot be used: {exc}") from None
            pool = getattr(self._inner, "_pool", None)
            if hasattr(pool, "_network_backend"):
                pool._network_backend = _deadline_backend(httpcore)

        def handle_request(self, request: Any) -> Any:
            request.headers["Accept-Encoding"] = _ACCEPTED_ENCODINGS
            for attempt in itertools.count(1):
                timeout = _bounded(request_timeout(), partial(HubProblem, "timeout"))
                request.extensions["timeout"] = dict.fromkeys(
                    ("connect", "read", "write", "pool"), timeout
                )
                response = self._send(request, timeout)
                status = response.status_code
                if status != 429 and status < 500:
                    return response
                wait = _retry_after(response.headers) if status == 429 else None
                if wait is None:
                    wait = min(8.0, 0.5 * 2 ** (attempt - 1)) * (1 + random.random() / 4)
                left = remaining()
                if attempt > MAX_RETRIES or (left is not None and wait >= left):
                    if status == 429:
                        after = f", Retry-After {wait:.0f}s" if wait else ""
                        raise HubProblem("rate-limited", f"HTTP 429 after {attempt} tries{after}")
                    raise HubProblem("network", f"HTTP {status} from the Hub after {attempt} tries")
                time.sleep(wait)

        def _send(self, request: Any, timeout: float) -> Any:
            """One request with its whole body read (capped, decoded) inside the deadline."""
            try:
                response = self._inner.handle_request(request)
                try:
                    if request.method == "HEAD":
                        return response  # no body; its headers describe the file
                    body = read_capped(
                        response.stream, response.headers.get("content-encoding", "")
                    )
                finally:
                    response.close()
            except httpx.TimeoutException:
                raise HubProblem("timeout", f"no complete answer within {timeout:.0f}s") from None
            except httpx.TransportError as exc:
                raise HubProblem("network", type(exc).__name__) from None
            dropped = (b"content-encoding", b"content-length", b"transfer-encoding")
            headers = [(k, v) for k, v in response.headers.raw if k.lower() not in dropped]
            return httpx.Response(
                response.status_code,
                headers=headers,
                content=body,
                request=request,
                extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
            )

        def close(self) -> None:
            self._inner.close()

    return BoundedTransport


def install(huggingface_hub: Any) -> None:
    """Make huggingface_hub's shared client our bounded one (a client without
    `set_client_factory`, huggingface_hub < 1.0, keeps its own, unbounded, policy)."""
    with contextlib.suppress(ImportError, AttributeError):
        import httpcore2 as httpcore
        import httpx2 as httpx
        from huggingface_hub.utils import _http

        transport = _make_transport(httpx, httpcore)

        def factory() -> Any:
            # httpx reads HTTP(S)_PROXY / ALL_PROXY / NO_PROXY only when it makes its own
            # transport; with ours it would ignore them, and behind a corporate proxy every
            # lookup would fail. The same environment, read the same way, mounted explicitly
            # (None: NO_PROXY's hosts take the direct transport).
            proxies = getattr(getattr(httpx, "_utils", None), "get_environment_proxies", dict)()
            return httpx.Client(
                transport=transport(),
                mounts={key: url and transport(proxy=url) for key, url in proxies.items()},
                event_hooks={"request": [_http.hf_request_event_hook]},
                follow_redirects=True,
                timeout=None,
            )

        huggingface_hub.set_client_factory(factory)
