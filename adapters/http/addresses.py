"""Which addresses Earshot may connect to: globally routable ones, plus what an operator deliberately allows."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Spelled out rather than trusting ``is_global`` alone: its tables differ between Python patch releases, and
# 3.11 calls ::7f00:1, 2002:7f00:1:: and fec0::1 global although they reach loopback or site-local hosts.
_V4_NOT_PUBLIC: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches localhost on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, where cloud metadata services live
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # deprecated 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
    )
)
_V6_NOT_PUBLIC: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
        "::ffff:0:0:0/96",  # IPv4-translated (SIIT)
        "64:ff9b:1::/48",  # local-use NAT64: the operator's own translator, destination unknown
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, including Teredo (which hides the real client address)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(ip: IPAddress) -> bool:
    """True when ``ip`` is globally routable, judging IPv6 forms that embed an IPv4 address by that address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_v4(ip)
        if embedded is not None:
            return is_public_address(embedded)
        return ip.is_global and not any(ip in net for net in _V6_NOT_PUBLIC)
    return ip.is_global and not any(ip in net for net in _V4_NOT_PUBLIC)


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a mapped, NAT64 or 6to4 address really reaches, if it is one of those."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


@dataclass(frozen=True)
class Allowlist:
    """The operator's ``allow_private`` entries, parsed: hostnames, and addresses or networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        """Sort entries into networks (a bare IP is a one-address network) and hostnames; ValueError on a bad CIDR."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip()
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                if "/" in entry:
                    raise ValueError(f"{raw!r} is not a valid address or network (like 10.0.0.0/8)") from None
            if not entry:
                raise ValueError("an empty entry is not a hostname, address or network")
            hosts.add(normal_host(entry))
        return cls(frozenset(hosts), tuple(networks))

    def permits(self, host: str, ip: IPAddress) -> bool:
        """True when connecting to ``ip``, reached by the URL host ``host``, is allowed."""
        if is_public_address(ip) or normal_host(host) in self.hosts:
            return True
        # ::ffff:127.0.0.1 is 127.0.0.1 on the wire, so an entry for one covers the other.
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(candidate in net for candidate in candidates for net in self.networks)


def normal_host(host: str) -> str:
    """A hostname compared case-insensitively and without the trailing dot of a fully qualified name."""
    return host.strip("[]").rstrip(".").lower()


def host_problem(host: str) -> str | None:
    """Why DNS could not look up ``host`` (an ASCII name, as httpx encodes it), or None for a name or an address."""
    if host.startswith("[") or ":" in host:
        return None  # an IPv6 address, which httpx has checked
    name = host[:-1] if host.endswith(".") else host
    if len(name) > 253:
        return "longer than 253 characters"
    if any(not label for label in name.split(".")):
        return "an empty label, as in a..b"
    if any(len(label) > 63 for label in name.split(".")):
        return "a label longer than 63 characters"
    return None
