"""EncryptedTextField: a text column stored as a Fernet token (cryptography's MultiFernet).

Keys come from settings.FIELD_ENCRYPTION_KEYS (env FIELD_ENCRYPTION_KEY, comma-separated): the first
key encrypts, every key decrypts, so a new key can be put first and old rows re-encrypted later
(see connections/README.md, "Key rotation"). The empty string is stored as is (no token yet).
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set. Generate one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        )
    try:
        return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY holds an invalid Fernet key: {error}") from None


def fernet() -> MultiFernet:
    return _fernet_for(tuple(k for k in settings.FIELD_ENCRYPTION_KEYS if k))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with any key in FIELD_ENCRYPTION_KEY "
            "(was a key removed before the rows were re-encrypted?)."
        ) from None


class EncryptedTextField(models.TextField):
    """Holds a secret. Never filter on it (every encryption differs); it is excluded from repr and forms."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        # loaddata hands back what value_to_string wrote: the ciphertext.
        if isinstance(value, str) and value.startswith("gAAAAA"):
            try:
                return fernet().decrypt(value.encode()).decode()
            except InvalidToken:
                return value
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def value_to_string(self, obj):
        # dumpdata / serializers: write the ciphertext, never the secret.
        value = self.value_from_object(obj)
        return self.get_prep_value(value) if value else value


def rotate(instance, *field_names: str) -> None:
    """Re-encrypt the given fields of one instance with the current first key."""
    type(instance)._default_manager.filter(pk=instance.pk).update(
        **{name: getattr(instance, name) for name in field_names}
    )
