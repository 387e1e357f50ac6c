from django import forms

from ..models import SYNCED_MODULES
from .services import DIRECTIONS


class StartForm(forms.Form):
    """Start (or stop) syncing one module in one direction."""

    module = forms.ChoiceField(choices=[(m, m) for m in SYNCED_MODULES])
    direction = forms.ChoiceField(choices=[(d, d) for d in DIRECTIONS])
