"""OAuth `state` kept in the session: random, bound to a provider and organisation, single use."""

import secrets
import time

SESSION_KEY = "connections_oauth_states"
MAX_STATES = 10
MAX_AGE_SECONDS = 15 * 60


def stash(request, provider: str, **data) -> str:
    states = request.session.get(SESSION_KEY, {})
    now = time.time()
    states = {k: v for k, v in states.items() if now - v.get("created", 0) < MAX_AGE_SECONDS}
    while len(states) >= MAX_STATES:
        states.pop(min(states, key=lambda k: states[k].get("created", 0)))
    state = secrets.token_urlsafe(32)
    states[state] = {"provider": provider, "created": now, **data}
    request.session[SESSION_KEY] = states
    return state


def unstash(request, provider: str, state: str | None) -> dict | None:
    """The data stashed for `state`, removed from the session (so it works once), or None."""
    states = request.session.get(SESSION_KEY, {})
    data = states.pop(state, None) if state else None
    request.session[SESSION_KEY] = states
    if data is None or data.get("provider") != provider or time.time() - data.get("created", 0) > MAX_AGE_SECONDS:
        return None
    return data
