from django.utils import translation

from .models import Membership

SESSION_ORGANISATION_KEY = "current_organisation_id"


class UserLanguageMiddleware:
    """Activate the signed-in user's chosen language; without a choice LocaleMiddleware's browser pick stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        if user is not None and user.is_authenticated and user.language:
            response.headers.setdefault("Content-Language", user.language)
        return response


class CurrentOrganisationMiddleware:
    """Set request.organisation and request.membership from the session (first membership by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.membership = None
        request.memberships = []
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # One query for the page: the switcher lists these too (context_processors.organisation).
            memberships = list(
                Membership.objects.filter(user=user).select_related("organisation").order_by("created_at")
            )
            wanted = str(request.session.get(SESSION_ORGANISATION_KEY) or "")
            chosen = next((m for m in memberships if str(m.organisation_id) == wanted), None)
            if chosen is None and memberships:
                chosen = memberships[0]
            request.memberships = memberships
            if chosen is not None:
                request.membership = chosen
                request.organisation = chosen.organisation
        return self.get_response(request)
