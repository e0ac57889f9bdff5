"""What the push tests share: a webhook receiver on loopback and a server-sent events reader."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2

from tests.system.support import free_port


@dataclass(frozen=True)
class Received:
    """One POST a receiver got."""

    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str:
        """The delivery's idempotency key."""
        return self.headers["idempotency-key"]

    @property
    def change(self) -> dict[str, Any]:
        """The change it carries."""
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


@dataclass
class Receiver:
    """A webhook receiver on a loopback port that can go down and come back on the same port; it answers
    every POST with `status` and records it."""

    status: int = 200
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """Where hooks POST to."""
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        """Listen (again) on the port."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening: connections are refused until `start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def keys(self) -> set[str]:
        """The idempotency keys received so far."""
        with self._lock:
            return {item.key for item in self.received}

    def wait_for(self, keys: set[str], timeout_s: float) -> None:
        """Return once every key in `keys` was received; fail after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while not keys <= self.keys():
            assert time.monotonic() < deadline, f"missing deliveries: {sorted(keys - self.keys())}"
            time.sleep(0.02)


@dataclass(frozen=True)
class Event:
    """One server-sent event (or comment), when it arrived."""

    at: float
    id: str | None = None
    event: str | None = None
    data: str | None = None
    comment: str | None = None

    @property
    def change(self) -> dict[str, Any]:
        """The change a `change` event carries."""
        assert self.data is not None
        loaded: dict[str, Any] = json.loads(self.data)
        return loaded


class EventReader:
    """Reads a `text/event-stream` in a thread until it has `changes` change events, then drops the
    connection; each event and comment is queued as it arrives."""

    def __init__(self, url: str, headers: dict[str, str] | None = None, *, changes: int) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.response_headers: dict[str, str] = {}
        self.connected = threading.Event()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(url, headers or {}, changes), daemon=True)
        self._thread.start()
        assert self.connected.wait(10), f"the stream did not start: {self.error!r}"

    def _read(self, url: str, headers: dict[str, str], changes: int) -> None:
        try:
            with httpx2.stream("GET", url, headers=headers, timeout=10) as response:
                self.response_headers = dict(response.headers)
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    self.connected.set()
                    if line.startswith(":"):
                        self.events.put(Event(time.monotonic(), comment=line[1:].strip()))
                    elif line:
                        name, _, value = line.partition(":")
                        fields[name] = value[1:] if value.startswith(" ") else value
                    elif "data" in fields:
                        self.events.put(
                            Event(time.monotonic(), fields.get("id"), fields.get("event"), fields["data"])
                        )
                        changes -= 1
                        if changes == 0:
                            return
                        fields = {}
                    else:
                        fields = {}
        except BaseException as error:
            self.error = error
            self.connected.set()

    def next_change(self, timeout_s: float) -> Event:
        """The next change event (comments skipped), within `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            event = self.events.get(timeout=max(deadline - time.monotonic(), 0.001))
            if event.data is not None:
                return event

    def comments(self, timeout_s: float) -> Iterator[Event]:
        """Comments as they arrive, for at most `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return
            if event.comment is not None:
                yield event

    def join(self, timeout_s: float = 10) -> None:
        """Wait for the reader to finish (it drops the connection after its last change)."""
        self._thread.join(timeout_s)
        assert not self._thread.is_alive()
