"""Security headers on every answer: a Content-Security-Policy, and `Cache-Control: private, no-store` on
everything sent to a signed-in user (a shared or back-button cache must not keep tenant data).

The policy allows scripts from the portal's own origin only: no inline script, no event-handler attributes, no
eval (htmx runs without it). Styles may be inline (a few templates carry a <style> block or a style attribute);
Django 5.2 has no CSP of its own, so this small middleware sets it (settings.CONTENT_SECURITY_POLICY)."""

from django.conf import settings

DEFAULT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_header() -> str:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or DEFAULT_POLICY
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = policy_header()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response
