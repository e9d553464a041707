"""A local HTTP server speaking the shape of GOV.UK Notify's API (v2), for the Notify backend's
tests: it checks the JWT the client signs, keeps what it was sent, answers status lookups and
searches by reference, and can be told to fail."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt

SERVICE_ID = str(uuid.UUID(int=1))
SECRET = str(uuid.UUID(int=2))
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"


@dataclass
class FakeNotify:
    notifications: dict[str, dict] = field(default_factory=dict)
    received: list[dict] = field(default_factory=list)  # every accepted POST, in order
    fail_next: list[int] = field(default_factory=list)  # statuses to answer the next POSTs with
    answer_after: float = 0.0  # seconds between taking a message and answering (a slow Notify)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def set_status(self, notification_id: str, status: str) -> None:
        with self.lock:
            self.notifications[notification_id]["status"] = status

    def references(self) -> list[str]:
        return [n["reference"] for n in self.received]


def _handler(state: FakeNotify):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _error(self, status: int, error: str, message: str) -> None:
            self._reply(status, {"status_code": status, "errors": [{"error": error, "message": message}]})

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization", "")
            try:
                claims = jwt.decode(header.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
            except jwt.PyJWTError:
                claims = {}
            if claims.get("iss") != SERVICE_ID or abs(time.time() - claims.get("iat", 0)) > 30:
                self._reply(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return False
            return True

        def do_POST(self):
            if not self._authorised():
                return
            length = int(self.headers.get("Content-Length", 0))
            payload = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                failure = state.fail_next.pop(0) if state.fail_next else None
            if failure:
                error = "BadRequestError" if failure == 400 else "Exception"
                message = "Address lines must be 3 to 7" if failure == 400 else "Internal server error"
                self._reply(failure, {"status_code": failure, "errors": [{"error": error, "message": message}]})
                return
            kind = urlparse(self.path).path.rsplit("/", 1)[-1]
            if kind not in {"email", "sms", "letter"}:
                self._reply(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": self.path}]})
                return
            if kind == "letter":
                pdf = base64.b64decode(payload.get("content", ""))
                if not pdf.startswith(b"%PDF"):
                    self._error(400, "ValidationError", "Not a PDF")
                    return
                payload["content_bytes"] = len(pdf)
            notification_id = str(uuid.uuid4())
            initial = "pending-virus-check" if kind == "letter" else "created"
            with state.lock:
                state.received.append({"kind": kind, **payload})
                state.notifications[notification_id] = {
                    "id": notification_id,
                    "reference": payload.get("reference"),
                    "type": kind,
                    "status": initial,
                }
            time.sleep(state.answer_after)
            self._reply(201, {"id": notification_id, "reference": payload.get("reference")})

        def do_GET(self):
            if not self._authorised():
                return
            url = urlparse(self.path)
            if url.path == "/v2/notifications":
                reference = parse_qs(url.query).get("reference", [None])[0]
                with state.lock:
                    found = [n for n in state.notifications.values() if reference in {None, n["reference"]}]
                self._reply(200, {"notifications": found, "links": {}})
                return
            notification_id = url.path.rsplit("/", 1)[-1]
            with state.lock:
                notification = state.notifications.get(notification_id)
            if notification is None:
                self._error(404, "NoResultFound", "No result found")
                return
            self._reply(200, notification)

    return Handler


def start() -> tuple[FakeNotify, ThreadingHTTPServer]:
    state = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    return state, server
