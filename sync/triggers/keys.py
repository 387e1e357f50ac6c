"""Signed, per-organisation tokens for URLs pasted into Zoho (the Copy to Xero button, the workflow webhook).

A token is `django.core.signing` over "<organisation id>.<nonce>" with a salt per purpose, so it cannot be forged
without SECRET_KEY, names its organisation, and stops working when the organisation regenerates its nonce."""

import hmac

from django.core import signing

from ..trigger_models import ButtonKey


def _signer(purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"sync.triggers.{purpose}")


def key_for(organisation, purpose: str) -> ButtonKey:
    key, _ = ButtonKey.objects.get_or_create(organisation=organisation, purpose=purpose)
    return key


def token_for(organisation, purpose: str) -> str:
    key = key_for(organisation, purpose)
    return _signer(purpose).sign(f"{organisation.pk}.{key.nonce}").split(":", 1)[1]


def regenerate(organisation, purpose: str) -> str:
    key = key_for(organisation, purpose)
    key.nonce = ButtonKey._meta.get_field("nonce").default()
    key.save(update_fields=["nonce", "created_at"])
    return token_for(organisation, purpose)


def check(organisation_id, token: str, purpose: str) -> bool:
    """True when `token` was issued for this organisation and purpose and has not been regenerated since."""
    if not token or len(token) > 200:
        return False
    key = ButtonKey.objects.filter(organisation_id=organisation_id, purpose=purpose).first()
    if key is None:
        return False
    expected = _signer(purpose).sign(f"{organisation_id}.{key.nonce}").split(":", 1)[1]
    return hmac.compare_digest(expected.encode(), str(token).encode())
