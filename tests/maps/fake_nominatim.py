"""A local stand-in for Nominatim's /search and /reverse JSON API (and Photon's /api and
/reverse GeoJSON API), started per test."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PLACES = [
    {
        "display_name": "Trangravsvej 14, 1436 København K, Danmark",
        "lat": "55.6794",
        "lon": "12.5962",
    },
    {
        "display_name": "Papirøen, Christiansholm, København K, Danmark",
        "lat": "55.6797",
        "lon": "12.5960",
    },
]


class FakeNominatim:
    def __init__(self):
        self.mode = "ok"  # ok | 429 | slow | error
        self.delay = 0.0
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(
                    {"path": parts.path, "query": query, "agent": self.headers.get("User-Agent")}
                )
                if fake.mode == "429":
                    return self._send(429, {"error": "Too many requests"})
                if fake.mode == "error":
                    return self._send(500, {"error": "boom"})
                if fake.mode == "slow":
                    time.sleep(fake.delay)
                if parts.path == "/api":
                    return self._send(
                        200,
                        {
                            "type": "FeatureCollection",
                            "features": [
                                {
                                    "type": "Feature",
                                    "geometry": {
                                        "type": "Point",
                                        "coordinates": [12.5962, 55.6794],
                                    },
                                    "properties": {
                                        "street": "Trangravsvej",
                                        "housenumber": "14",
                                        "postcode": "1436",
                                        "city": "København K",
                                        "country": "Danmark",
                                    },
                                }
                            ],
                        },
                    )
                if parts.path == "/search":
                    needle = query.get("q", "").casefold()
                    found = [
                        dict(p, place_id=i, boundingbox=[p["lat"], p["lat"], p["lon"], p["lon"]])
                        for i, p in enumerate(PLACES)
                        if needle.split()[0] in p["display_name"].casefold()
                    ]
                    return self._send(200, found)
                if parts.path == "/reverse":
                    lat = float(query["lat"])
                    if abs(lat - 55.6794) < 0.01:
                        return self._send(200, dict(PLACES[0], place_id=1))
                    return self._send(200, {"error": "Unable to geocode"})
                return self._send(404, {"error": "not found"})

            def _send(self, status, payload):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
