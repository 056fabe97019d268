"""Failed log-ins are limited per account and address, so guessing at someone's password from one
place cannot lock that person out; many failures from everywhere slow each attempt instead."""

import pytest
from django.urls import reverse

from civic import adapters
from tests import factories

PASSWORD = "pass-word-123"  # noqa: S105


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def delays(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(adapters.time, "sleep", waited.append)
    return waited


def _log_in(client, email, password, ip):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


def test_an_attacker_cannot_lock_the_victim_out(client, db, settings, delays):
    settings.LOGIN_FAILED_DELAY_AFTER = 5
    victim = factories.UserFactory(email="victim@example.org")
    attacker = client.__class__()
    attacker.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = 0
    for _ in range(20):
        response = _log_in(attacker, victim.email, "wrong-guess", ip="198.51.100.66")
        assert response.status_code in {200, 429}
        refused += "Too many failed login attempts" in response.content.decode() or (
            response.status_code == 429
        )
    assert refused >= 15  # the attacker's address is stopped after a few guesses...
    # ...even with the right password from there.
    response = _log_in(attacker, victim.email, PASSWORD, ip="198.51.100.66")
    assert "_auth_user_id" not in attacker.session

    # The victim, elsewhere, still gets in (a little slower while the guessing goes on).
    response = _log_in(client, victim.email, PASSWORD, ip="203.0.113.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_one_address_is_limited_across_accounts(client, db, settings, delays):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    people = [factories.UserFactory() for _ in range(4)]
    for person in people[:3]:
        assert _log_in(client, person.email, "wrong", ip="198.51.100.66").status_code == 200
    response = _log_in(client, people[3].email, PASSWORD, ip="198.51.100.66")
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_from_many_addresses_slow_every_attempt_down(client, db, settings, delays):
    settings.LOGIN_FAILED_DELAY_AFTER = 3
    settings.LOGIN_FAILED_DELAY_MAX_SECONDS = 4
    person = factories.UserFactory()
    for number in range(3):
        _log_in(client, person.email, "wrong", ip=f"192.0.2.{number}")
    assert delays == []
    for number in range(3, 8):
        _log_in(client, person.email, "wrong", ip=f"192.0.2.{number}")
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0]  # growing, and capped
    _log_in(client, person.email, PASSWORD, ip="203.0.113.7")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert delays[-1] == 4.0  # the person waited too, but got in


def test_the_delay_stays_capped_however_many_failures(settings):
    settings.LOGIN_FAILED_DELAY_AFTER = 5
    settings.LOGIN_FAILED_DELAY_MAX_SECONDS = 3
    assert adapters.login_delay(4) == 0
    assert adapters.login_delay(5) == 0.5
    assert adapters.login_delay(100_000) == 3
