from .models import Membership


def organisation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = getattr(request, "memberships", None)
    if memberships is None:  # a request that did not pass CurrentOrganisationMiddleware
        memberships = Membership.objects.filter(user=user).select_related("organisation")
    return {
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships,
    }
