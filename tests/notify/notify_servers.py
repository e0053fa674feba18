"""Real servers on 127.0.0.1 for the notification tests: an SMTP server (aiosmtpd)
and an HTTP server (http.server in a thread), each recording what it received,
each stoppable and restartable on the same port (a server going down and
coming back). A module with a unique name, importable from the tests."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class SMTPSink:
    """An SMTP server that keeps every message it accepts.

    Addresses in ``refuse`` are refused at RCPT with a 550 (a mailbox that
    does not exist)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        for _ in range(50):  # the port may linger a moment after a stop
            try:
                controller.start()
                break
            except (OSError, RuntimeError):
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the SMTP sink could not listen on port {self.port} again")
        self._controller = controller

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def keys(self) -> Counter[str]:
        with self._lock:
            return Counter(str(m["Idempotency-Key"]) for m in self.messages)


class HTTPSink:
    """An HTTP server that keeps every POST: its Idempotency-Key and JSON body.

    ``answer(n)`` gives the status of the n-th request (1, 2, ...); ``delay``
    seconds pass before answering (after recording); after ``die_after``
    requests it stops itself (the server going down mid-run)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.answer: Callable[[int], int] = lambda n: 200
        self.delay = 0.0
        self.die_after: int | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/notices"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with sink._lock:
                    sink.requests.append((str(self.headers.get("Idempotency-Key")), body))
                    n = len(sink.requests)
                if sink.delay:
                    time.sleep(sink.delay)
                status = sink.answer(n)
                payload = b'{"ok": true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting (its timeout)
                if sink.die_after is not None and n >= sink.die_after:
                    # this server only: a request it served last may get here
                    # after the test has started the next one
                    threading.Thread(target=sink.stop, args=(self.server,), daemon=True).start()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> None:
        for _ in range(50):
            try:
                server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the HTTP sink could not listen on port {self.port} again")
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self, only: object = None) -> None:
        """Stop the server (``only``: if it is still that one)."""
        with self._lock:
            server = self._server
            if only is not None and server is not only:
                return  # stopped already, or another one started since
            self._server = None
        if server is not None:
            server.shutdown()
            server.server_close()

    @property
    def running(self) -> bool:
        return self._server is not None

    def keys(self) -> Counter[str]:
        with self._lock:
            return Counter(key for key, _ in self.requests)
