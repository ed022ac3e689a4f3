"""Turning a request into an Actor, and finding the client's address behind proxies."""

import pytest
from django.test import RequestFactory

from abiertos.accounts.request_actor import client_ip, token_from_request


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
)
def test_client_ip_trusts_only_our_proxies(settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"HTTP_AUTHORIZATION": "Token ma_abc"}, "ma_abc"),
        ({"HTTP_AUTHORIZATION": "Bearer ma_abc"}, "ma_abc"),
        ({"HTTP_AUTHORIZATION": "ma_abc"}, "ma_abc"),
        ({"HTTP_X_CKAN_API_KEY": " ma_abc "}, "ma_abc"),
        ({}, ""),
    ],
)
def test_token_from_request_reads_the_headers_clients_send(headers, expected):
    assert token_from_request(RequestFactory().get("/", **headers)) == expected
