"""Who is acting and from where, for the audit log, without threading `request`
through every service call."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from opsqm.infra.core.roles import Visitor


@dataclass(frozen=True)
class RequestContext:
    user: Visitor | None = None
    ip: str | None = None
    # The request itself, when there is one: the API authenticates (token) inside
    # the view, after the middleware ran, and sets `request.user` then.
    request: Any = None

    def acting_user(self) -> Any:
        if self.request is not None:
            return getattr(self.request, "user", self.user)
        return self.user


# RequestContext is a frozen dataclass: an immutable default.
current: ContextVar[RequestContext] = ContextVar(
    "opsqm_request",
    default=RequestContext(),  # noqa: B039
)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_address(text: str) -> Address | None:
    """One address as a proxy or client wrote it; None if it is not an address.

    Accepts the port forms some proxies write (`192.0.2.1:5678`, `[2001:db8::1]:443`)
    and gives IPv4-mapped IPv6 (`::ffff:192.0.2.1`) as the IPv4 address."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        text = text.partition(":")[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def trusted_proxies() -> tuple[Network, ...]:
    """settings.OPSQM_TRUSTED_PROXIES (addresses and CIDR networks) as networks."""
    return _networks(tuple(getattr(settings, "OPSQM_TRUSTED_PROXIES", ()) or ()))


def _is_trusted(addr: Address, networks: tuple[Network, ...]) -> bool:
    return any(addr.version == net.version and addr in net for net in networks)


def client_ip(meta: Mapping[str, Any]) -> str | None:
    """The client's address for the audit log.

    X-Forwarded-For is believed only when the direct peer (REMOTE_ADDR) is one of
    the trusted proxies (OPSQM_TRUSTED_PROXIES, empty by default): anybody can
    send the header, only our proxies append to it truthfully.  The header is read
    from the right, and the first address that is not itself a trusted proxy is
    the client (the left part is whatever the client claimed).  Without a trusted
    peer, or without the header, the peer itself is the client."""
    peer = _parse_address(str(meta.get("REMOTE_ADDR") or ""))
    if peer is None:
        return None
    networks = trusted_proxies()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    # Django joins repeated headers with ","; each hop appends on the right.
    for entry in reversed(str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        if not entry.strip():
            continue
        addr = _parse_address(entry)
        if addr is None:
            break  # garbage from beyond our proxies: keep the last trusted hop
        client = addr
        if not _is_trusted(addr, networks):
            break
    return str(client)


def request_client_ip(request: Any) -> str | None:
    """`client_ip` of a request (django-axes' AXES_CLIENT_IP_CALLABLE)."""
    return client_ip(getattr(request, "META", {}) or {})
