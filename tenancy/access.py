"""The one way views reach tenant-owned objects: scoped to the signed-in user's current organisation.

Anything outside it, or a user with no membership, gets 404, so an outsider cannot even learn that an
object exists.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404


def current_organisation(request):
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise Http404("No organisation")
    return organisation


def scoped(request, model_or_queryset) -> QuerySet:
    """The queryset of `model_or_queryset` that belongs to the request's current organisation."""
    queryset = (
        model_or_queryset._default_manager.all()
        if isinstance(model_or_queryset, type) and issubclass(model_or_queryset, Model)
        else model_or_queryset
    )
    return queryset.filter(organisation=current_organisation(request))


def tenant_object_or_404(request, model_or_queryset, **lookup):
    """Fetch one tenant-owned object of the current organisation, or raise 404 (also for a malformed id, such
    as "abc" where a UUID belongs: no object has it)."""
    try:
        return get_object_or_404(scoped(request, model_or_queryset), **lookup)
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise Http404("Malformed id") from None


def require_manager(request):
    """Owners and admins may change things; read-only members get 403."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404("No organisation")
    if not membership.can_manage:
        raise PermissionDenied("Read-only members cannot change this.")
    return membership
