"""Outbound HTTP for untrusted URLs: every request Earshot makes goes through :class:`SafeHttp`."""

from earshot.adapters.http.addresses import is_public_address
from earshot.adapters.http.errors import FetchError, FetchRefused, InvalidUrl
from earshot.adapters.http.json_body import load_json
from earshot.adapters.http.response import HttpResponse, parse_retry_after
from earshot.adapters.http.safe import FetchPolicy, SafeHttp, check_url

__all__ = [
    "FetchError",
    "FetchPolicy",
    "FetchRefused",
    "HttpResponse",
    "InvalidUrl",
    "SafeHttp",
    "check_url",
    "is_public_address",
    "load_json",
    "parse_retry_after",
]
