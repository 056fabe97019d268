"""Per-person and per-address limits on writes: the shared civic.ratelimit, under the name the
ideas views and API have always used."""

from civic.ratelimit import client_ip, hit, parse_rate, raise_for_api

__all__ = ["client_ip", "hit", "parse_rate", "raise_for_api"]
