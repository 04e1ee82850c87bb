"""Links handed to the room (join link, QR code, second screen) use an address the room can reach."""
from __future__ import annotations

import pytest

from core import settings


@pytest.fixture(autouse=True)
def no_configured_url(monkeypatch):
    monkeypatch.delenv("ATELIER_BASE_URL", raising=False)


def test_the_configured_address_wins(monkeypatch):
    monkeypatch.setenv("ATELIER_BASE_URL", "https://atelier.example.org/")
    assert settings.public_base_url({"Host": "10.0.0.5:8501"}) == "https://atelier.example.org"


def test_without_configuration_the_browsers_address_is_used():
    assert settings.public_base_url({"Host": "salle-b.local:8600"}) == "http://salle-b.local:8600"
    assert settings.public_base_url({"host": "192.168.1.20:8501"}) == "http://192.168.1.20:8501"


def test_behind_the_proxy_the_forwarded_host_and_scheme_are_used():
    headers = {"Host": "127.0.0.1:8501", "X-Forwarded-Host": "atelier.federation.be",
               "X-Forwarded-Proto": "https"}
    assert settings.public_base_url(headers) == "https://atelier.federation.be"
    chain = {"X-Forwarded-Host": "atelier.federation.be, inner", "X-Forwarded-Proto": "https, http"}
    assert settings.public_base_url(chain) == "https://atelier.federation.be"


@pytest.mark.parametrize("host", ["evil.com/<script>", "a b", "x\r\nSet-Cookie: a=b", "", ":8501", "[zz]"])
def test_a_malformed_host_is_never_echoed(host):
    assert settings.public_base_url({"Host": host}) == settings.DEFAULT_BASE_URL


def test_ipv6_hosts():
    assert settings.public_base_url({"Host": "[::1]:8501"}) == "http://[::1]:8501"
    assert settings.host_of("http://[::1]:8501/join") == "[::1]"


def test_a_loopback_link_seen_from_another_host_is_flagged(monkeypatch):
    monkeypatch.setenv("ATELIER_BASE_URL", "http://127.0.0.1:8501")
    assert settings.unreachable_from_the_room(settings.public_base_url({"Host": "salle.local"}),
                                              {"Host": "salle.local"})
    assert not settings.unreachable_from_the_room("http://127.0.0.1:8501", {"Host": "localhost:8501"})
    assert not settings.unreachable_from_the_room("https://atelier.example.org", {"Host": "salle.local"})
    assert not settings.unreachable_from_the_room("http://127.0.0.1:8501", None)
