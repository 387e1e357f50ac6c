"""What views, tasks and other apps do with connections. Views stay thin and call these.

Interface for other apps: ready_for_sync, selected_xero_organisations, zoho_connection,
mark_reconnect_needed, reset_xero_organisation, disconnect_zoho, terms_accepted.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from audit.alerts import notify_reconnect_needed
from audit.models import Action
from audit.models import Module as AuditModule
from audit.models import Status as AuditStatus
from audit.services import record

from . import conf, signals
from .exceptions import ProviderError
from .models import Status, TermsAcceptance, XeroOrganisation, XeroTokenSet, ZohoConnection
from .providers.xero.adapter import XeroAdapter, auth_event_id_from
from .providers.zoho.adapter import ZohoAdapter

logger = logging.getLogger(__name__)
LANGUAGES_OFFERED = ("de", "fr", "en")


# --- reading state -------------------------------------------------------------------------------
def zoho_connection(organisation) -> ZohoConnection | None:
    return ZohoConnection.objects.filter(organisation=organisation).first()


def xero_organisations(organisation):
    return XeroOrganisation.objects.filter(organisation=organisation).select_related("token_set")


def selected_xero_organisations(organisation):
    """The Xero organisations chosen for sync whose grant still works."""
    return xero_organisations(organisation).filter(selected=True, status=Status.ACTIVE,
                                                   token_set__status=Status.ACTIVE)


def terms_accepted(organisation) -> bool:
    return TermsAcceptance.objects.filter(organisation=organisation, version=conf.get("TERMS_VERSION")).exists()


def ready_for_sync(organisation, xero_organisation: XeroOrganisation | None = None) -> bool:
    """True when Zoho is connected, the terms are accepted, and the Xero side works: the given Xero
    organisation, or at least one selected one. Anything marked "reconnect needed" pauses sync."""
    zoho = zoho_connection(organisation)
    if zoho is None or zoho.status != Status.ACTIVE or not terms_accepted(organisation):
        return False
    selected = selected_xero_organisations(organisation)
    if xero_organisation is not None:
        return selected.filter(pk=xero_organisation.pk).exists()
    return selected.exists()


def reconnect_needed(organisation) -> bool:
    zoho = zoho_connection(organisation)
    return (zoho is not None and zoho.needs_reconnect) or xero_organisations(organisation).filter(
        selected=True).exclude(status=Status.ACTIVE, token_set__status=Status.ACTIVE).exists()


def accept_terms(organisation, user) -> TermsAcceptance:
    return TermsAcceptance.objects.create(organisation=organisation, user=user, version=conf.get("TERMS_VERSION"))


# --- reconnect needed ----------------------------------------------------------------------------
def mark_reconnect_needed(connection, *, reason: str = "") -> bool:
    """Mark a XeroTokenSet (all its organisations), one XeroOrganisation or a ZohoConnection as
    "reconnect needed". Sync pauses (ready_for_sync is False) and one audit entry per affected
    organisation says why. Returns False when it was already marked (no duplicate audit entries)."""
    reason = (reason or "")[:500]
    model = type(connection)
    changed = model.objects.filter(pk=connection.pk).exclude(status=Status.RECONNECT_NEEDED).update(
        status=Status.RECONNECT_NEEDED, last_error=reason)
    connection.status, connection.last_error = Status.RECONNECT_NEEDED, reason
    if not changed:
        return False
    if isinstance(connection, ZohoConnection):
        record(organisation=connection.organisation, module=AuditModule.CONNECTION, action=Action.REFRESH,
               status=AuditStatus.FAILED, provider_error=reason,
               message_key=gettext_noop("Zoho CRM access for %(name)s was revoked or has expired. Sync is paused: "
                                        "reconnect Zoho CRM on the Connections page."),
               message_params={"name": str(connection)})
        _alert_on_commit(connection.organisation, f"Zoho CRM: {connection}")
        return True
    organisations = (list(connection.xero_organisations.all()) if isinstance(connection, XeroTokenSet)
                     else [connection])
    for xero_organisation in organisations:
        record(organisation=xero_organisation.organisation, module=AuditModule.CONNECTION, action=Action.REFRESH,
               status=AuditStatus.FAILED, provider_error=reason, xero_tenant_id=xero_organisation.tenant_id,
               xero_tenant_name=xero_organisation.tenant_name,
               message_key=gettext_noop("Xero access to %(name)s was revoked or has expired. Sync is paused: "
                                        "reconnect Xero on the Connections page."),
               message_params={"name": str(xero_organisation)})
        _alert_on_commit(xero_organisation.organisation, f"Xero: {xero_organisation}")
    return True


def _alert_on_commit(organisation, label: str) -> None:
    """Email the organisation's admins once the "reconnect needed" state is committed (never fails the caller)."""

    def send():
        try:
            notify_reconnect_needed(organisation, label)
        except Exception:  # an unreachable mail server must not break token handling
            logger.exception("Could not send the reconnect alert for %s", label)

    transaction.on_commit(send)


# --- Xero consent --------------------------------------------------------------------------------
@transaction.atomic
def complete_xero_consent(*, organisation, user, token: dict, adapter: XeroAdapter | None = None) -> list:
    """Store a new token set and the Xero organisations it reaches. Organisations already known to this
    portal organisation move to the new token set (a reconnect); new ones arrive unselected. Returns
    the XeroOrganisations added by this consent (new or reconnected)."""
    adapter = adapter or XeroAdapter()
    connections = [c for c in adapter.list_connections(token["access_token"])
                   if (c.get("tenantType") or "ORGANISATION") == "ORGANISATION"]
    auth_event_id = auth_event_id_from(token["access_token"])
    if not auth_event_id and connections:
        auth_event_id = str(max(connections, key=lambda c: c.get("createdDateUtc") or "").get("authEventId") or "")
    token_set = XeroTokenSet.objects.create(
        organisation=organisation, access_token=token["access_token"], refresh_token=token.get("refresh_token", ""),
        expires_at=token.get("expires_at"), scopes=token.get("scope", ""), auth_event_id=auth_event_id,
        last_refreshed_at=timezone.now(), connected_by=user)
    touched = []
    for item in connections:
        tenant_id = str(item.get("tenantId") or "")
        if not tenant_id:
            continue
        xero_organisation, created = XeroOrganisation.objects.get_or_create(
            organisation=organisation, tenant_id=tenant_id,
            defaults={"token_set": token_set, "tenant_name": item.get("tenantName") or "",
                      "tenant_type": item.get("tenantType") or "ORGANISATION",
                      "connection_id": str(item.get("id") or "")})
        if not created:
            xero_organisation.token_set = token_set
            xero_organisation.tenant_name = item.get("tenantName") or xero_organisation.tenant_name
            xero_organisation.connection_id = str(item.get("id") or xero_organisation.connection_id)
            xero_organisation.status = Status.ACTIVE
            xero_organisation.last_error = ""
            xero_organisation.save()
        touched.append(xero_organisation)
        record(organisation=organisation, module=AuditModule.CONNECTION, action=Action.CONNECT,
               status=AuditStatus.SUCCESS, xero_tenant_id=tenant_id, xero_tenant_name=xero_organisation.tenant_name,
               message_key=gettext_noop("Xero organisation %(name)s connected."),
               message_params={"name": str(xero_organisation)})
    # Token sets left without organisations were superseded by this consent.
    XeroTokenSet.objects.filter(organisation=organisation, xero_organisations__isnull=True).exclude(
        pk=token_set.pk).delete()
    if not touched:
        token_set.delete()
    return touched


def choose_xero_organisations(organisation, selected_ids) -> None:
    selected_ids = {str(i) for i in selected_ids}
    for xero_organisation in xero_organisations(organisation):
        wanted = str(xero_organisation.pk) in selected_ids
        if xero_organisation.selected != wanted:
            xero_organisation.selected = wanted
            xero_organisation.save(update_fields=["selected"])
            if wanted:
                _read_reference_data_on_commit(xero_organisation_id=xero_organisation.pk)


def _read_reference_data_on_commit(*, organisation_id=None, xero_organisation_id=None) -> None:
    """Announce, once the transaction commits, a new Zoho connection or a newly chosen Xero organisation, so the
    apps above (mapping reads fields, taxes, tax rates, accounts and currencies at once rather than at the next
    daily refresh) can act. `connections` imports nothing from them."""
    if organisation_id is not None:
        transaction.on_commit(lambda: signals.zoho_connected.send(sender=ZohoConnection,
                                                                  organisation_id=organisation_id))
    if xero_organisation_id is not None:
        transaction.on_commit(lambda: signals.xero_organisation_chosen.send(
            sender=XeroOrganisation, xero_organisation_id=xero_organisation_id))


def reset_xero_organisation(xero_organisation: XeroOrganisation, *, user=None,
                            adapter: XeroAdapter | None = None) -> None:
    """Disconnect one Xero organisation and erase the portal's sync records for it.

    Calls DELETE /connections/{id}, and revokes the grant when it was the token set's last organisation.
    Provider failures (e.g. the grant is already revoked) do not stop the reset. Deleting the row
    cascades to every sync record that points at it; audit entries stay.
    """
    from .providers.xero import tokens

    adapter = adapter or XeroAdapter()
    token_set = xero_organisation.token_set
    last_one = not token_set.xero_organisations.exclude(pk=xero_organisation.pk).exists()
    problem = ""
    try:
        access = tokens.access_token(token_set.pk, adapter=adapter)
        if xero_organisation.connection_id:
            adapter.delete_connection(access, xero_organisation.connection_id)
        if last_one:
            adapter.revoke(XeroTokenSet.objects.get(pk=token_set.pk).refresh_token)
    except ProviderError as error:
        problem = error.detail or type(error).__name__
        logger.warning("Xero disconnect of %s incomplete: %s", xero_organisation.tenant_id, type(error).__name__)
    record(organisation=xero_organisation.organisation, module=AuditModule.CONNECTION, action=Action.DISCONNECT,
           status=AuditStatus.SUCCESS, xero_tenant_id=xero_organisation.tenant_id,
           xero_tenant_name=xero_organisation.tenant_name, provider_error=problem,
           message_key=gettext_noop("Xero organisation %(name)s was disconnected by %(user)s and its sync "
                                    "records were erased."),
           message_params={"name": str(xero_organisation), "user": str(user or "-")})
    with transaction.atomic():
        xero_organisation.delete()
        if last_one:
            XeroTokenSet.objects.filter(pk=token_set.pk).delete()


# --- Zoho ----------------------------------------------------------------------------------------
def language_from_zoho(user: dict) -> str:
    """'de_DE' / 'German' / 'fr' -> 'de' / 'fr' / 'en'; '' when not one we offer."""
    for value in (user.get("language"), user.get("locale")):
        code = str(value or "").replace("-", "_").split("_")[0].lower()
        names = {"german": "de", "deutsch": "de", "french": "fr", "français": "fr", "english": "en"}
        code = names.get(code, code)
        if code in LANGUAGES_OFFERED:
            return code
    return ""


def complete_zoho_consent(*, organisation, user, location: str, accounts_server: str, token: dict,
                          adapter: ZohoAdapter | None = None) -> ZohoConnection:
    """Store (or replace) the Zoho connection, then read the CRM org name and the user's language."""
    from .providers.zoho.client import ZohoClient

    adapter = adapter or ZohoAdapter()
    fields = dict(
        location=location, accounts_server=accounts_server,
        api_domain=adapter.checked_api_domain(location, token.get("api_domain", "")),
        access_token=token["access_token"], expires_at=token.get("expires_at"),
        scopes=token.get("scope", ""), status=Status.ACTIVE, last_error="", last_refreshed_at=timezone.now(),
        connected_by=user)
    if token.get("refresh_token"):
        fields["refresh_token"] = token["refresh_token"]
    connection, _created = ZohoConnection.objects.update_or_create(organisation=organisation, defaults=fields)
    client = ZohoClient(connection)
    try:
        org = client.get_org()
        current = client.get_current_user()
    except ProviderError as error:
        logger.warning("Could not read the Zoho org after consent: %s", type(error).__name__)
        org, current = {}, {}
    connection.crm_org_id = str(org.get("id") or "")
    connection.crm_org_name = str(org.get("company_name") or "")
    connection.user_email = str(current.get("email") or "")
    connection.user_language = language_from_zoho(current)
    connection.save(update_fields=["crm_org_id", "crm_org_name", "user_email", "user_language"])
    record(organisation=organisation, module=AuditModule.CONNECTION, action=Action.CONNECT,
           status=AuditStatus.SUCCESS,
           message_key=gettext_noop("Zoho CRM %(name)s connected (data centre %(location)s)."),
           message_params={"name": str(connection), "location": location.upper()})
    _read_reference_data_on_commit(organisation_id=organisation.pk)
    return connection


def disconnect_zoho(connection: ZohoConnection, *, user=None, adapter: ZohoAdapter | None = None) -> None:
    """Revoke the Zoho refresh token and delete the connection (and, by cascade, what depends on it)."""
    adapter = adapter or ZohoAdapter()
    problem = ""
    try:
        adapter.revoke(accounts_server=connection.accounts_server, refresh_token=connection.refresh_token)
    except ProviderError as error:
        problem = error.detail or type(error).__name__
        logger.warning("Zoho revocation failed: %s", type(error).__name__)
    record(organisation=connection.organisation, module=AuditModule.CONNECTION, action=Action.DISCONNECT,
           status=AuditStatus.SUCCESS, provider_error=problem,
           message_key=gettext_noop("Zoho CRM %(name)s was disconnected by %(user)s."),
           message_params={"name": str(connection), "user": str(user or "-")})
    connection.delete()
