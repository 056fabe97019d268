"""docs/varnish.vcl: it compiles, and a running Varnish with it keeps what the site tags,
passes token requests and writes, and takes bans only on its ban address. Needs varnishd (the
Debian package varnish); skipped without it."""

import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VCL = ROOT / "docs" / "varnish.vcl"
VARNISHD = shutil.which("varnishd") or (
    "/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None
)

pytestmark = pytest.mark.skipif(
    VARNISHD is None, reason="varnishd is not installed (apt-get install varnish)"
)


def test_the_vcl_compiles():
    compiled = subprocess.run(
        [VARNISHD, "-C", "-f", str(VCL)], capture_output=True, text=True, timeout=120
    )
    assert compiled.returncode == 0, compiled.stderr[-3000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Site:
    """A stand-in for the site: /page is public and tagged, /private is not; counts fetches."""

    def __init__(self):
        self.fetches: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                site.fetches.append(f"{self.command} {self.path}")
                body = f"{self.path} {len(site.fetches)}".encode()
                self.send_response(200)
                if self.path == "/page":
                    self.send_header("Cache-Control", "public, max-age=10, s-maxage=30")
                    self.send_header("X-Cache-Tags", "c7 all")
                else:
                    self.send_header("Cache-Control", "private")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def varnish():
    site = _Site()
    folder = Path(tempfile.mkdtemp(prefix="civic-vcl-"))
    folder.chmod(0o755)
    vcl = folder / "default.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{site.port}";'))
    http_port, ban_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [
            VARNISHD,
            "-F",
            "-n",
            str(folder / "state"),
            "-a",
            f"http=127.0.0.1:{http_port}",
            "-a",
            f"ban=127.0.0.1:{ban_port}",
            "-f",
            str(vcl),
            "-s",
            "malloc,16m",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", http_port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("varnishd did not start")
                time.sleep(0.2)
        yield site, f"http://127.0.0.1:{http_port}", f"http://127.0.0.1:{ban_port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        site.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _send(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - local only
            return answer.status, answer.headers.get("X-Cache", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, "", error.read()


def test_varnish_keeps_tagged_pages_and_hides_the_tags(varnish):
    site, http, _ban = varnish
    site.fetches.clear()
    first = _send(f"{http}/page")
    second = _send(f"{http}/page")
    assert (first[1], second[1]) == ("MISS", "HIT")
    assert first[2] == second[2]
    assert site.fetches == ["GET /page"]
    private = [_send(f"{http}/private") for _ in range(2)]
    assert [answer[1] for answer in private] == ["MISS", "MISS"]


def test_token_holders_sessions_and_writes_reach_the_site(varnish):
    site, http, _ban = varnish
    _send(f"{http}/page")  # a public copy is kept
    site.fetches.clear()
    _send(f"{http}/page", headers={"Authorization": "Token abc"})
    _send(f"{http}/page", headers={"Cookie": "sessionid=abc"})
    _send(f"{http}/page", method="POST")
    assert site.fetches == ["GET /page", "GET /page", "POST /page"]


def test_bans_are_taken_on_the_ban_address_only(varnish):
    site, http, ban = varnish
    _send(f"{http}/page")
    assert _send(f"{http}/page")[1] == "HIT"
    assert _send(f"{http}/", method="BAN", headers={"X-Ban-Tag": "c7"})[0] == 405
    assert _send(f"{http}/page")[1] == "HIT"
    assert _send(f"{ban}/", method="BAN", headers={"X-Ban-Tag": "c7 .*"})[0] == 400
    assert _send(f"{ban}/", method="BAN", headers={"X-Ban-Tag": "c70"})[0] == 200
    assert _send(f"{http}/page")[1] == "HIT"  # another consultation's tag
    assert _send(f"{ban}/", method="BAN", headers={"X-Ban-Tag": "c7"})[0] == 200
    assert _send(f"{http}/page")[1] == "MISS"
