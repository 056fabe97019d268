"""The client's IP address, as the per-IP limits count it.

X-Forwarded-For is a list each proxy appends to: the address it received the request from.
Everything a client sends can be in it, so an entry is believed only when a proxy we run wrote
it. The chain is read from the right (REMOTE_ADDR, then the header's entries right to left):
the first TRUSTED_PROXY_COUNT hops are our proxies, and so is any hop inside TRUSTED_PROXIES;
the first hop after them is the client. With neither setting, the header is ignored.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxy_count = max(0, int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not proxy_count and not networks:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Right to left: the peer we received the request from, then what each proxy saw.
    hops = [remote, *reversed([e for e in forwarded.split(",") if e.strip()])]
    client = remote
    for position, hop in enumerate(hops):
        address = _address(hop)
        if address is None:  # not an address: whoever wrote it is not a proxy of ours
            return client
        client = str(address)
        trusted = position < proxy_count or any(address in net for net in networks)
        if not trusted:
            return client
    return client  # every hop was a proxy of ours: the left-most is the nearest to the client
