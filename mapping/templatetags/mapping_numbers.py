"""Numbers on the mapping pages: a percentage with the decimals it has, in the reader's locale."""

from django import template
from django.template.defaultfilters import floatformat

from mapping.problems import _decimal

register = template.Library()


@register.filter
def percent(value) -> str:
    """``Decimal("12.5000")`` -> ``12.5`` (``12,5`` in German); ``Decimal("10.0000")`` -> ``10``; None -> ``?``."""
    number = _decimal(value)
    if number is None:
        return "?"
    places = max(0, -number.normalize().as_tuple().exponent)
    return floatformat(number, places)
