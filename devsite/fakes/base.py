"""A small HTTP server that stands in for a social platform in tests and demos.

Each platform's fake subclasses `FakePlatform`, routes requests like the real API and answers
with its JSON shapes. Tests script failures with `fake.script("rate_limit")` and inspect what
was sent through `fake.requests` and what was stored through the fake's own collections.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from devsite.fakes import hostile

# Behaviours a test can script. Each applies to the next matching request(s).
OK = "ok"
VALIDATION_ERROR = "validation_error"
EXPIRED_TOKEN = "expired_token"  # noqa: S105 (a behaviour name)
RATE_LIMIT = "rate_limit"
DUPLICATE = "duplicate"
SERVER_ERROR = "server_error"
SLOW = "slow"
DROP = "drop"  # close the connection without processing the request
DROP_AFTER_COMMIT = "drop_after_commit"  # process and store, then close without answering
# 503 with Retry-After `seconds` ahead, as an HTTP date or as a number of seconds.
UNAVAILABLE = "unavailable"
UNAVAILABLE_SECONDS = "unavailable_seconds"
BEHAVIOURS = (
    OK,
    VALIDATION_ERROR,
    EXPIRED_TOKEN,
    RATE_LIMIT,
    DUPLICATE,
    SERVER_ERROR,
    SLOW,
    DROP,
    DROP_AFTER_COMMIT,
    UNAVAILABLE,
    UNAVAILABLE_SECONDS,
)
ERROR_BEHAVIOURS = (VALIDATION_ERROR, EXPIRED_TOKEN, RATE_LIMIT, DUPLICATE, SERVER_ERROR)


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    json: Any = None

    def param(self, name: str, default: str | None = None) -> Any:
        """A parameter from the JSON body, the form or the query string, in that order."""
        if isinstance(self.json, dict) and name in self.json:
            return self.json[name]
        if name in self.form:
            return self.form[name]
        return self.query.get(name, default)

    @property
    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""


@dataclass
class FakeResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    # Send no Content-Length: the body ends when the connection closes (a hostile stream).
    unsized: bool = False


@dataclass
class _Scripted:
    kind: str
    remaining: int
    method: str | None
    path: str | None
    seconds: float

    def matches(self, request: FakeRequest) -> bool:
        if self.method and request.method != self.method.upper():
            return False
        return not (self.path and self.path not in request.path)


_NO_ANSWER = object()


def _parse(method: str, target: str, headers: dict[str, str], body: bytes) -> FakeRequest:
    parts = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    request = FakeRequest(method, parts.path, query, headers, body)
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/json") and body:
        try:
            request.json = json.loads(body)
        except ValueError:
            request.json = None
    elif content_type.startswith("application/x-www-form-urlencoded"):
        decoded = body.decode("utf-8", "replace")
        request.form = {k: v[-1] for k, v in parse_qs(decoded, keep_blank_values=True).items()}
    elif content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                request.files[name] = UploadedFile(
                    part.get_filename(), part.get_content_type(), payload
                )
            else:
                request.form[name] = payload.decode("utf-8", "replace")
    return request


class FakePlatform:
    """Base of the platform fakes: server lifecycle, request log and scripted behaviours."""

    platform: ClassVar[str]
    # The account's limits a test or a demo may set over HTTP (POST /_fake/limits), e.g. a
    # Facebook page blocked from posting, X without API credits, Instagram's daily limit.
    controllable: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.lock = threading.RLock()
        self.requests: list[FakeRequest] = []
        self._scripted: list[_Scripted] = []
        self._hostile: list[hostile.HostileRule] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._next_id = 1000
        # The fake's clock: tests move it forward to see what the platform forgets over time.
        self.clock_offset = 0.0

    # --- Lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakePlatform:
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # A short poll interval keeps stop() quick: tests start and stop a fake per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-{self.platform}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakePlatform:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- Scripting -------------------------------------------------------------------------------
    def script(
        self,
        kind: str,
        *,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
        seconds: float = 2.0,
    ) -> None:
        """Make the next `times` requests matching `method` and `path` (a substring) behave so."""
        if kind not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {kind!r}; choose from {BEHAVIOURS}")
        with self.lock:
            self._scripted.append(_Scripted(kind, times, method, path, seconds))

    def make_hostile(
        self,
        *modes: str,
        method: str | None = None,
        path: str | None = None,
        size: int = hostile.DEFAULT_HUGE_BYTES,
    ) -> None:
        """From now on answer requests matching `method` and `path` (a substring) the hostile
        way (`devsite.fakes.hostile`); without modes, answer every request normally again."""
        with self.lock:
            if not modes:
                self._hostile.clear()
                return
            rule = hostile.HostileRule(hostile.check_modes(modes), method, path, int(size))
            self._hostile.append(rule)

    def _hostile_answer(self, request: FakeRequest, response: FakeResponse) -> FakeResponse:
        with self.lock:
            rules = [r for r in self._hostile if r.matches(request.method, request.path)]
        if not rules or response.raw is not None or response.body is None:
            return response
        modes = frozenset().union(*(rule.modes for rule in rules))
        body = hostile.rewrite(response.body, modes)
        if hostile.LISTS_FOR_OBJECTS in modes:
            body = hostile.wrap_objects(body)
        unsized = hostile.HUGE_UNSIZED in modes
        if unsized or hostile.HUGE in modes:
            size = max(rule.size for rule in rules)
            padding = "x" * size
            body = {**body, "padding": padding} if isinstance(body, dict) else [*body, padding]
        return FakeResponse(response.status, body, dict(response.headers), unsized=unsized)

    def now(self) -> float:
        """The fake's time (epoch seconds), moved on by `advance`."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward, as if that much time had passed."""
        with self.lock:
            self.clock_offset += seconds

    def requests_to(self, method: str, path_contains: str) -> list[FakeRequest]:
        with self.lock:
            return [r for r in self.requests if r.method == method and path_contains in r.path]

    def new_id(self) -> str:
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def _take_scripted(self, request: FakeRequest) -> _Scripted | None:
        with self.lock:
            for scripted in self._scripted:
                if scripted.matches(request):
                    scripted.remaining -= 1
                    if scripted.remaining <= 0:
                        self._scripted.remove(scripted)
                    return scripted
        return None

    # --- Control, for tests and demos in another process -----------------------------------------
    def published(self) -> list[dict[str, str]]:
        """The municipality's own posts: [{"id", "text"}], oldest first."""
        raise NotImplementedError

    def engage(self, remote_id: str, **figures: int) -> None:
        """Set a post's engagement by the adapters' names (reach, views, reactions, shares).

        Raises KeyError for a post it does not hold, ValueError for a figure the platform has not.
        """
        raise NotImplementedError

    def reply(self, remote_id: str, text: str, author: str = "") -> str:
        """Add a public reply by someone else; returns its id."""
        raise NotImplementedError

    def _control(self, request: FakeRequest) -> FakeResponse:
        """`/_fake/...`: inspect and steer a fake running in another process (runfakes)."""
        body = request.json if isinstance(request.json, dict) else {}
        action = request.path.removeprefix("/_fake/").strip("/")
        try:
            with self.lock:
                if action == "posts" and request.method == "GET":
                    return FakeResponse(200, {"posts": self.published()})
                if action == "engagement" and request.method == "POST":
                    figures = {k: int(v) for k, v in (body.get("figures") or {}).items()}
                    self.engage(str(body.get("id", "")), **figures)
                    return FakeResponse(200, {"ok": True})
                if action == "replies" and request.method == "POST":
                    reply_id = self.reply(
                        str(body.get("id", "")), str(body.get("text", "")), body.get("author", "")
                    )
                    return FakeResponse(200, {"id": reply_id})
                if action == "clock" and request.method == "POST":
                    # Move the platform's clock (forgotten idempotency keys, daily limits).
                    self.advance(float(body.get("advance_seconds", 0)))
                    return FakeResponse(200, {"offset_seconds": self.clock_offset})
                if action == "limits" and request.method == "POST":
                    return self._control_limits(body)
                if action == "oauth" and request.method == "POST":
                    return self._control_oauth(body)
                if action == "hostile" and request.method == "POST":
                    self.make_hostile(
                        *(body.get("modes") or ()),
                        method=body.get("method"),
                        path=body.get("path"),
                        size=int(body.get("size", hostile.DEFAULT_HUGE_BYTES)),
                    )
                    return FakeResponse(200, {"ok": True})
                if action == "script" and request.method == "POST":
                    self.script(
                        body.get("kind", ""),
                        times=int(body.get("times", 1)),
                        method=body.get("method"),
                        path=body.get("path"),
                        seconds=float(body.get("seconds", 2.0)),
                    )
                    return FakeResponse(200, {"ok": True})
        except KeyError as exc:
            return FakeResponse(404, {"error": f"no such post {exc}"})
        except (TypeError, ValueError) as exc:
            return FakeResponse(400, {"error": str(exc)})
        return FakeResponse(404, {"error": f"unknown control {request.method} {action}"})

    def _control_limits(self, body: dict[str, Any]) -> FakeResponse:
        """Set the account's limits: {"blocked": true}, {"credits": 0}, {"publishing_limit": 1}."""
        unknown = sorted(set(body) - set(self.controllable))
        if unknown:
            raise ValueError(f"{self.platform} has no limit {unknown}; it has {self.controllable}")
        for name, value in body.items():
            if value is not None and not isinstance(value, bool | int):
                raise ValueError(f"{name} must be a number, true/false or null")
            setattr(self, name, value)
        return FakeResponse(200, {name: getattr(self, name) for name in self.controllable})

    def _control_oauth(self, body: dict[str, Any]) -> FakeResponse:
        """Steer the fake's login: {"consent": "allow"|"deny", "advance_seconds": n}."""
        server = getattr(self, "oauth", None)
        if server is None:
            return FakeResponse(404, {"error": f"{self.platform} has no OAuth login here"})
        if "consent" in body:
            if body["consent"] not in ("allow", "deny"):
                raise ValueError("consent is allow or deny")
            server.consent = body["consent"]
        if "advance_seconds" in body:
            server.advance(float(body["advance_seconds"]))
        return FakeResponse(200, {"consent": server.consent, "offset_seconds": server.offset})

    def oauth_client(self) -> dict[str, str]:
        """The app credentials this fake's login accepts ({} where it registers apps itself)."""
        return {}

    # --- Dispatch --------------------------------------------------------------------------------
    def dispatch(self, request: FakeRequest) -> FakeResponse | object:
        if request.path.startswith("/_fake/"):
            # Control calls are not platform traffic: they are neither logged nor scripted.
            return self._control(request)
        with self.lock:
            self.requests.append(request)
        scripted = self._take_scripted(request)
        kind = scripted.kind if scripted else OK
        if kind == SLOW:
            time.sleep(scripted.seconds)
        if kind == DROP:
            return _NO_ANSWER
        if kind in ERROR_BEHAVIOURS:
            return self.scripted_error(kind, request)
        if kind in (UNAVAILABLE, UNAVAILABLE_SECONDS):
            return self._unavailable(kind, scripted.seconds)
        try:
            with self.lock:
                response = self.route(request)
        except FakeError as error:
            response = error.response
        except Exception as exc:  # noqa: BLE001 - a bug in a fake must show, not hang a test
            response = FakeResponse(500, {"error": "FakeCrashed", "message": repr(exc)})
        if kind == DROP_AFTER_COMMIT:
            return _NO_ANSWER
        return self._hostile_answer(request, response)

    def _unavailable(self, kind: str, seconds: float) -> FakeResponse:
        if kind == UNAVAILABLE:
            retry_after = formatdate(self.now() + seconds, usegmt=True)
        else:
            retry_after = str(int(seconds))
        return FakeResponse(503, raw=b"Service Unavailable", headers={"Retry-After": retry_after})

    def credentials(self) -> dict[str, str]:
        """What a channel needs to talk to this fake, by the adapter's credential names."""
        raise NotImplementedError

    def route(self, request: FakeRequest) -> FakeResponse:
        """Answer like the platform: authenticate, validate, store, reply."""
        raise NotImplementedError

    def scripted_error(self, kind: str, request: FakeRequest) -> FakeResponse:
        """The platform's own answer for a scripted failure."""
        raise NotImplementedError


class FakeError(Exception):
    """Raised inside `route` to answer with an error response."""

    def __init__(self, response: FakeResponse):
        super().__init__(response.status)
        self.response = response


def _handler_for(fake: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # One request per connection keeps "drop the connection" simple and visible to clients.
        protocol_version = "HTTP/1.0"
        server_version = f"fake-{fake.platform}"

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = _parse(self.command, self.path, headers, body)
            response = fake.dispatch(request)
            if response is _NO_ANSWER:
                self.close_connection = True
                return
            assert isinstance(response, FakeResponse)
            payload = (
                response.raw
                if response.raw is not None
                else (json.dumps(response.body).encode() if response.body is not None else b"")
            )
            try:
                self.send_response(response.status)
                if response.raw is None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in response.headers.items():
                    self.send_header(name, value)
                if response.unsized:
                    self.close_connection = True
                else:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                for start in range(0, len(payload), 65536):
                    self.wfile.write(payload[start : start + 65536])
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up waiting (a scripted slow answer): nothing to tell it.
                pass

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler
