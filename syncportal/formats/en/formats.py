"""English is British English here: day before month (3 Dec 2026, 03/12/2026), Monday first, and the 24-hour clock
as in German and French (no "a.m." whose full stop doubles at the end of a sentence)."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
from django.conf.locale.en_GB.formats import DATE_INPUT_FORMATS as _BRITISH_DATE_INPUT_FORMATS

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
# Typed dates are read the British way; ISO dates (what <input type="date"> sends) are always accepted too.
DATE_INPUT_FORMATS = ["%Y-%m-%d", *_BRITISH_DATE_INPUT_FORMATS]
