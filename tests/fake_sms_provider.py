"""A local fake SMS provider for the HTTP gateway's tests: records each request and answers as its mode says."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

Mode = Literal["ok", "error", "slow", "fail_once"]


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: Any


class _Server(ThreadingHTTPServer):
    # Handler threads are joined by server_close(), so no request outlives the provider.
    daemon_threads = False
    block_on_close = True
    provider: FakeSmsProvider


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        provider = self.server.provider
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        status = provider.record(ReceivedRequest(self.path, dict(self.headers.items()), body))
        if status is None:
            # "slow": answer only after the client has given up, or at once when the provider stops.
            provider.stopping.wait(provider.slow_seconds)
            status = 200
        payload = json.dumps({"status": "accepted" if status == 200 else "failed"}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except ConnectionError:
            pass  # the client timed out and hung up: nobody is left to answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeSmsProvider:
    """``with FakeSmsProvider() as provider:`` serves on ``provider.url`` until the block ends."""

    def __init__(self, mode: Mode = "ok", slow_seconds: float = 0.6) -> None:
        self.mode: Mode = mode
        self.slow_seconds = slow_seconds
        self.requests: list[ReceivedRequest] = []
        self.stopping = threading.Event()
        self._failed_once = False
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/messages"

    def record(self, request: ReceivedRequest) -> int | None:
        """Keep the request; the status to answer with, or None to answer late ("slow")."""
        with self._lock:
            self.requests.append(request)
            if self.mode == "ok":
                return 200
            if self.mode == "error":
                return 500
            if self.mode == "fail_once":
                if self._failed_once:
                    return 200
                self._failed_once = True
                return 500
            return None

    def __enter__(self) -> FakeSmsProvider:
        # The socket is opened here, not in __init__, so that only a `with` block ever holds it.
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.provider = self
        # A short poll interval: shutdown() waits for the serving loop to notice, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-sms-provider", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
