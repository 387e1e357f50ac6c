"""Provider failures as domain exceptions. `user_message` is a translatable constant for the UI and audit."""

from django.utils.translation import gettext_lazy as _


class ProviderError(Exception):
    user_message = _("The provider could not be reached. Please try again later.")

    def __init__(self, detail: str = "", *, provider: str = ""):
        super().__init__(detail or str(self.user_message))
        self.detail = detail
        self.provider = provider

    @property
    def message(self) -> str:
        """The user-facing text in the active language."""
        return str(self.user_message)


class AuthRevoked(ProviderError):
    """The grant is gone (invalid_grant, revoked, disconnected): pause and ask the user to reconnect."""

    user_message = _("Our access to your account was revoked or has expired. Please reconnect.")


class RateLimited(ProviderError):
    """The provider's limit was hit; `retry_after` is the number of seconds to wait (None if unknown)."""

    user_message = _("The provider's rate limit was reached. The portal will retry automatically.")

    def __init__(self, retry_after: float | None = None, detail: str = "", *, provider: str = "", problem: str = ""):
        super().__init__(detail or f"rate limited, retry after {retry_after}s", provider=provider)
        self.retry_after = retry_after
        self.problem = problem


class TransientError(ProviderError):
    """A timeout, connection error or 5xx that outlived our retries: retry later with backoff."""

    user_message = _("The provider is temporarily unavailable. The portal will retry automatically.")


class PermanentError(ProviderError):
    """A 4xx the provider will keep refusing: record it with the provider's message, do not retry."""

    user_message = _("The provider refused the request: %(message)s")

    def __init__(self, code: str = "", provider_message: str = "", *, status: int | None = None, provider: str = ""):
        super().__init__(f"{code}: {provider_message}" if code else provider_message, provider=provider)
        self.code = code
        self.provider_message = provider_message
        self.status = status

    @property
    def message(self) -> str:
        return str(self.user_message) % {"message": self.provider_message or self.code}
