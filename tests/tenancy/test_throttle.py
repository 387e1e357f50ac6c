"""Sign-in, admin sign-in, password-reset and sign-up requests are throttled per account and per client address
(tenancy/throttle.py), and sign-up and password reset answer the same for known and unknown addresses."""

import re

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from tenancy import throttle
from tenancy.models import Lockout, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("tenancy:login")
LOCKED = "Too many attempts. For your security, wait 15 minutes, then try again."


@pytest.fixture
def clock(monkeypatch):
    """The local-memory cache's clock, moved forward by the test (expiry is what a window is)."""
    import django.core.cache.backends.locmem as locmem

    now = [1_000_000.0]
    monkeypatch.setattr(locmem.time, "time", lambda: now[0])
    return now


def _page(response) -> str:
    """The page without its CSRF tokens (a new one per answer)."""
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())


def _sign_in(client, email, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_the_31st_sign_in_is_refused_and_the_right_password_too_until_the_window_passes(client, owner, clock):
    for attempt in range(30):
        response = _sign_in(client, owner.email, f"wrong {attempt}")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    refused = _sign_in(client, owner.email, "wrong again")
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    right = _sign_in(client, owner.email, PASSWORD, address="198.51.100.9")  # also from another address
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    lockout = Lockout.objects.get(kind="sign_in", scope="account")
    assert (lockout.account, lockout.attempts, lockout.window_seconds) == (owner.email, 30, 900)

    clock[0] += 14 * 60
    assert _sign_in(client, owner.email, PASSWORD).status_code == 429
    clock[0] += 2 * 60
    signed_in = _sign_in(client, owner.email, PASSWORD, address="198.51.100.9")
    assert signed_in.status_code == 302 and client.session["_auth_user_id"] == str(owner.pk)


def test_one_address_trying_many_accounts_is_locked_out_too(client, owner):
    for attempt in range(30):
        _sign_in(client, f"someone{attempt}@example.com", "guess")
    assert _sign_in(client, owner.email, PASSWORD).status_code == 429
    assert Lockout.objects.filter(kind="sign_in", scope="address", address="203.0.113.7").count() == 1
    assert _sign_in(client, owner.email, PASSWORD, address="198.51.100.9").status_code == 302


def test_a_post_without_a_password_does_not_reset_the_count(client, owner):
    for attempt in range(29):
        _sign_in(client, owner.email, f"wrong {attempt}", address=f"192.0.2.{attempt}")
    client.post(LOGIN, {"username": owner.email}, REMOTE_ADDR="192.0.2.200")
    _sign_in(client, owner.email, "wrong once more", address="192.0.2.201")
    assert _sign_in(client, owner.email, PASSWORD, address="192.0.2.202").status_code == 429


def test_a_successful_sign_in_forgets_the_accounts_failures(client, owner):
    for attempt in range(29):
        _sign_in(client, owner.email, f"wrong {attempt}", address=f"192.0.2.{attempt}")
    assert _sign_in(client, owner.email, PASSWORD).status_code == 302
    client.logout()
    for attempt in range(29):
        assert _sign_in(client, owner.email, f"wrong {attempt}", address=f"192.0.2.{attempt}").status_code == 200
    assert not Lockout.objects.exists()


def test_the_admin_sign_in_is_throttled(client, db):
    staff = User.objects.create_superuser(email="staff@example.com", password=PASSWORD)
    url = reverse("admin:login")
    for attempt in range(30):
        client.post(url, {"username": staff.email, "password": f"wrong {attempt}"})
    refused = client.post(url, {"username": staff.email, "password": PASSWORD})
    assert LOCKED in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert Lockout.objects.filter(kind="admin_sign_in").exists()


def test_the_lockout_message_is_translated(client, owner):
    for attempt in range(30):
        _sign_in(client, owner.email, f"wrong {attempt}")
    german = client.post(LOGIN, {"username": owner.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7",
                         HTTP_ACCEPT_LANGUAGE="de")
    assert german.status_code == 429 and LOCKED not in german.content.decode()
    assert "15" in german.content.decode()


def test_password_reset_answers_the_same_for_known_and_unknown_addresses_and_is_throttled(client, owner):
    url = reverse("tenancy:password_reset")
    known = client.post(url, {"email": owner.email}, follow=True)
    unknown = client.post(url, {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert _page(known) == _page(unknown)
    assert [message.to for message in mail.outbox] == [[owner.email]]  # the confirmation goes by email

    for _attempt in range(4):
        assert client.post(url, {"email": owner.email}).status_code == 302
    refused = client.post(url, {"email": owner.email})
    assert refused.status_code == 429 and "wait 60 minutes" in refused.content.decode()
    assert len(mail.outbox) == 5
    assert Lockout.objects.filter(kind="password_reset", scope="account", account=owner.email).exists()


SIGN_UP = {"organisation_name": "Initech", "password1": "a-long-enough-passphrase",
           "password2": "a-long-enough-passphrase"}


def test_sign_up_answers_the_same_for_known_and_unknown_addresses(client, owner):
    url = reverse("tenancy:sign_up")
    known = client.post(url, {**SIGN_UP, "email": owner.email.upper()}, follow=True)
    unknown = client.post(url, {**SIGN_UP, "email": "newcomer@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("tenancy:sign_up_sent"), 302)]
    assert _page(known) == _page(unknown)
    assert "exists" not in known.content.decode()

    to_owner, to_newcomer = mail.outbox
    assert to_owner.to == [owner.email] and "has an account already" in to_owner.body
    assert reverse("tenancy:password_reset") in to_owner.body and "/signup/confirm/" not in to_owner.body
    assert to_newcomer.to == ["newcomer@example.com"] and "/signup/confirm/" in to_newcomer.body
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and owner.memberships.count() == 1  # nothing changed for the owner
    assert not User.objects.get(email="newcomer@example.com").is_active


def test_signing_up_again_before_confirming_sends_a_new_link_with_the_latest_password(client):
    url = reverse("tenancy:sign_up")
    client.post(url, {**SIGN_UP, "email": "newcomer@example.com"})
    client.post(url, {**SIGN_UP, "email": "newcomer@example.com", "organisation_name": "Initrode",
                      "password1": "another-long-passphrase", "password2": "another-long-passphrase"})
    first, second = (re.search(r"https?://\S+/signup/confirm/\S+/", m.body).group(0) for m in mail.outbox)
    assert client.get(first).status_code == 400  # the password changed since: the old link is void
    assert client.get(second).status_code == 302
    user = User.objects.get(email="newcomer@example.com")
    assert user.is_active and user.check_password("another-long-passphrase")
    assert user.memberships.get().organisation.name == "Initrode"


def test_sign_ups_from_one_address_are_throttled(client):
    url = reverse("tenancy:sign_up")
    for n in range(10):
        assert client.post(url, {**SIGN_UP, "email": f"n{n}@example.com"}).status_code == 302
    refused = client.post(url, {**SIGN_UP, "email": "n10@example.com"})
    assert refused.status_code == 429
    assert not User.objects.filter(email="n10@example.com").exists()


def test_when_the_throttles_cache_is_down_signing_in_still_works(client, owner, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("Redis is down")
            return fail

    monkeypatch.setattr(throttle, "_cache", Down)
    assert _sign_in(client, owner.email, "wrong").status_code == 200
    assert _sign_in(client, owner.email, PASSWORD).status_code == 302


def test_the_throttle_counts_in_redis_when_the_portal_runs_with_redis(rf, settings):
    """The same limits with Django's Redis cache (shared by every web worker), when Redis is configured."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL / CELERY_BROKER_URL is not Redis: the Redis throttle is not checked")
    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL,
             "KEY_PREFIX": "throttle-test"}
    with override_settings(CACHES={**settings.CACHES, "throttle": cache},
                           THROTTLE_LIMITS={"sign_in": {"attempts": 3, "window": 60}}):
        limit, request = throttle.sign_in(), rf.post("/login/", REMOTE_ADDR="192.0.2.99")
        account = "redis-check@example.com"
        try:
            assert [throttle.count(limit, request, account) for _ in range(3)] == [False, False, True]
            assert throttle.is_locked(limit, request, account)
            cache = caches["throttle"]
            raw_key = cache.make_and_validate_key(throttle._key(limit, "account", account))
            assert 0 < cache._cache.get_client(raw_key).ttl(raw_key) <= 60  # the lockout ends by itself
        finally:
            caches["throttle"].delete_many([throttle._key(limit, "account", account),
                                            throttle._key(limit, "address", "192.0.2.99")])
