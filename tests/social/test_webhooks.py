"""Facebook webhook signatures over the raw body."""

from __future__ import annotations

import hashlib
import hmac

from social.webhooks import sign, verify_challenge, verify_signature

SECRET = "fb-app-secret"
BODY = b'{"object":"page","entry":[{"id":"100200300","changes":[{"field":"feed"}]}]}'


def meta_signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_a_valid_signature_is_accepted():
    assert verify_signature(BODY, meta_signature(BODY), SECRET)
    assert sign(BODY, SECRET) == meta_signature(BODY)


def test_a_forged_or_missing_signature_is_refused():
    assert not verify_signature(BODY, meta_signature(BODY, "another-secret"), SECRET)
    assert not verify_signature(BODY, None, SECRET)
    assert not verify_signature(BODY, "", SECRET)
    assert not verify_signature(BODY, "sha256=", SECRET)
    # SHA-1 style header or a bare digest are not accepted for the SHA-256 header.
    assert not verify_signature(BODY, meta_signature(BODY).removeprefix("sha256="), SECRET)
    assert not verify_signature(BODY, meta_signature(BODY).replace("sha256", "sha1"), SECRET)


def test_a_changed_body_is_refused():
    reserialised = BODY.replace(b",", b", ")
    assert not verify_signature(reserialised, meta_signature(BODY), SECRET)


def test_without_an_app_secret_nothing_is_accepted():
    assert not verify_signature(BODY, meta_signature(BODY, ""), "")


def test_subscription_challenge():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert verify_challenge(params, "tok") == "1158201444"
    assert verify_challenge({**params, "hub.verify_token": "wrong"}, "tok") is None
    assert verify_challenge({**params, "hub.mode": "unsubscribe"}, "tok") is None
    assert verify_challenge(params, "") is None
