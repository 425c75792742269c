"""Who is calling, as HTTP says it: the bearer token and the client address.

Read once per request by the request scope; resolvers get the results and never parse
headers.
"""

from __future__ import annotations

import ipaddress

from lac.core.settings import Network

BEARER = "bearer "


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    if not authorization or not authorization.lower().startswith(BEARER):
        return None
    return authorization[len(BEARER) :].strip() or None


def resolve_client_ip(
    peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[Network, ...]
) -> str | None:
    """The client's address: the socket peer, or, behind trusted proxies, the nearest
    untrusted `X-Forwarded-For` hop.

    The header is read right to left and only while each hop is a trusted proxy, so a
    client cannot choose its logged address by sending its own header.
    """
    if peer is None or not forwarded_for or not _is_trusted(peer, trusted_proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted_proxies):
            return hop if _parse_ip(hop) is not None else peer
    return hops[0] if hops else peer


def _parse_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address; not one with an IPv6 zone ("fe80::1%eth0"): no remote client has
    one, and its free-form, unbounded zone would not fit the address columns."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return None if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id else ip


def _is_trusted(address: str, trusted_proxies: tuple[Network, ...]) -> bool:
    ip = _parse_ip(address)
    return ip is not None and any(ip in network for network in trusted_proxies)
