"""What the transform raises when a record cannot become a payload: a translatable message saying what to fix."""

from django.utils.translation import gettext


class MappingError(Exception):
    """A record the mapping cannot turn into a payload. ``message`` is translated and says what to fix."""

    code = "mapping_error"

    def __init__(self, message_key: str, **params):
        super().__init__(message_key % params if params else message_key)
        self.message_key = message_key
        self.params = params

    @property
    def message(self) -> str:
        from audit.models import translate_message  # labels among the parameters are shown translated too

        return translate_message(self.message_key, self.params, self.message_key % self.params if self.params
                                 else self.message_key) if self.params else gettext(self.message_key)


class UnresolvedLookup(MappingError):
    code = "unresolved_lookup"


class InvalidValue(MappingError):
    code = "invalid_value"
