"""What the stand-in map services (wms.py, wmts.py) share: a small threaded HTTP server that
records every request and can be put "down" (503, as a service under maintenance), and the
tile picture they draw (a translucent hatch in the layer's colour, so a screenshot shows where
an overlay lies)."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from PIL import Image, ImageDraw


class FakeMapServer:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self.down = False
        self.requests: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                parts = urlsplit(self.path)
                # OGC parameter names are case-insensitive; values are not.
                query = {key.upper(): value for key, value in parse_qsl(parts.query)}
                fake.requests.append({"path": parts.path, **query})
                if fake.down:
                    return fake.send(self, 503, "text/plain", b"Service temporarily unavailable")
                fake.answer(self, parts.path, query)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    def answer(self, handler: BaseHTTPRequestHandler, path: str, query: dict[str, str]) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @staticmethod
    def send(
        handler, status: int, content_type: str, body: bytes, headers: dict | None = None
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)


def hatched_png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for offset in range(-height, width, 16):
        draw.line([(offset, height), (offset + height, 0)], fill=(*colour, 150), width=3)
    draw.rectangle([0, 0, width - 1, height - 1], outline=(*colour, 200), width=1)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
