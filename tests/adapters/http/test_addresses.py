"""Which addresses count as public, and what an operator's allowlist opens."""

from __future__ import annotations

import ipaddress

import pytest

from earshot.adapters.http import FetchPolicy, is_public_address
from earshot.adapters.http.addresses import Allowlist

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",  # mapped: judged by the IPv4 address it carries
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]

NOT_PUBLIC = [
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "::1",
    "::",
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    "3fff::1",
    "2001::1",  # Teredo
    "100::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::808:808",  # local-use NAT64
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
]


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is True


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_private_and_reserved_addresses_are_not_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is False


def test_an_allowed_address_opens_only_itself() -> None:
    allow = Allowlist.parse(["127.0.0.1"])
    assert allow.permits("127.0.0.1", ipaddress.ip_address("127.0.0.1"))
    assert allow.permits("x", ipaddress.ip_address("::ffff:127.0.0.1"))
    assert not allow.permits("127.0.0.2", ipaddress.ip_address("127.0.0.2"))


def test_an_allowed_network_opens_its_addresses() -> None:
    allow = Allowlist.parse(["10.0.0.0/8", "fd00::/8"])
    assert allow.permits("a", ipaddress.ip_address("10.200.1.1"))
    assert allow.permits("a", ipaddress.ip_address("fd00::5"))
    assert not allow.permits("a", ipaddress.ip_address("192.168.0.1"))


def test_an_allowed_hostname_matches_case_insensitively() -> None:
    allow = Allowlist.parse(["Feeds.Internal"])
    assert allow.permits("feeds.internal.", ipaddress.ip_address("10.0.0.7"))
    assert not allow.permits("other.internal", ipaddress.ip_address("10.0.0.7"))


def test_public_addresses_need_no_allowlist() -> None:
    assert Allowlist.parse([]).permits("example.com", ipaddress.ip_address("8.8.8.8"))


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "10.0.0.0/x", ""])
def test_a_bad_allowlist_entry_stops_the_policy(entry: str) -> None:
    with pytest.raises(ValueError):
        FetchPolicy(allow_private=(entry,))
