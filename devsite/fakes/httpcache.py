"""A stand-in for a shared HTTP cache's ban endpoint (Varnish with docs/varnish.vcl): it records
every request and answers 200 "Banned" to BAN from anywhere, 405 to anything else, or what a
test scripts (`fake.fail_next(503)`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]


class FakeHttpCache:
    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[Recorded] = []
        self._failures: list[int] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                recorded = Recorded(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                with fake._lock:
                    fake.requests.append(recorded)
                    status = fake._failures.pop(0) if fake._failures else None
                if status is None:
                    status = 200 if self.command == "BAN" else 405
                body = b"Banned" if status == 200 else b"No"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_BAN = do_PURGE = do_GET = do_POST = _answer

            def log_message(self, *args):  # quiet in tests
                pass

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeHttpCache:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def bans(self) -> list[str]:
        """The tags banned so far, in order."""
        with self._lock:
            return [r.headers.get("x-ban-tag", "") for r in self.requests if r.method == "BAN"]
