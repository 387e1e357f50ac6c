"""Audit message keys (untranslated msgids, gettext_noop) with %(named)s parameters.

Each message says what happened and, when something failed, what the user can do about it.
Parameters used: name, source, target, rule, zoho_id, xero_id, status, currency, organisation, error, new_name.
"""

from django.utils.translation import gettext_noop

CREATED = gettext_noop("Created in %(target)s.")
UPDATED = gettext_noop("Updated in %(target)s.")
MATCHED = gettext_noop("Linked to the existing %(target)s record with the same %(rule)s; nothing was created.")
MATCHED_AND_UPDATED = gettext_noop(
    "Linked to the existing %(target)s record with the same %(rule)s, then updated it."
)
RENAMED_FOR_XERO = gettext_noop(
    "Another Xero contact is already called \"%(name)s\" (Xero contact names are unique among active contacts), "
    "so this account was created as \"%(new_name)s\"."
)
CREATED_RENAMED = gettext_noop(
    "Created in Xero as \"%(new_name)s\": another Xero contact is already called \"%(name)s\" and Xero contact "
    "names are unique among active contacts. Rename one of the accounts in Zoho CRM if you prefer other names."
)
UPDATED_RENAMED = gettext_noop(
    "Updated in Xero as \"%(new_name)s\": another Xero contact is already called \"%(name)s\" and Xero contact "
    "names are unique among active contacts."
)

NOT_ROUTED = gettext_noop(
    "Not created in the Xero organisation %(organisation)s: its routing rule (Settings, \"New Zoho CRM records\") "
    "does not take this record. Change the rule, or the record's routing field in Zoho CRM, to send it there."
)
CREATE_OFF = gettext_noop(
    "Not created in %(target)s because Create is switched off for this module and direction in Settings."
)
UPDATE_OFF = gettext_noop(
    "Not updated in %(target)s because Update is switched off for this module and direction in Settings."
)
DELETE_OFF = gettext_noop(
    "Deleted in %(source)s, but not in %(target)s because Delete is switched off for this module and direction "
    "in Settings."
)
DELETE_WAS_OFF = gettext_noop(
    "Deleted in %(source)s while Delete was switched off for this module and direction, so not deleted in "
    "%(target)s: deletes apply only to deletions made after Delete is switched on."
)
SYNC_OFF = gettext_noop("Not synced because Allow Sync is switched off for this module in Settings.")

CONFLICT_SOURCE_WINS = gettext_noop(
    "Changed on both sides since the last sync; %(source)s won (conflict policy: %(policy)s). The %(target)s "
    "values that were replaced are listed with this entry."
)
CONFLICT_TARGET_WINS = gettext_noop(
    "Changed on both sides since the last sync; %(target)s won (conflict policy: %(policy)s), so these %(source)s "
    "changes were not written. They are listed with this entry."
)

TARGET_GONE = gettext_noop(
    "The linked %(target)s record no longer exists, so it was not updated. Resync after restoring it, or reset "
    "the connection to link the records afresh."
)
TARGET_ARCHIVED = gettext_noop("Not updated because the linked Xero contact is archived. Restore it in Xero first.")
INVOICE_LOCKED = gettext_noop(
    "Not pushed to Xero because the Xero invoice is %(status)s; Xero does not allow changes to paid, voided or "
    "deleted invoices. Make the change in Xero (for example with a credit note)."
)
INVOICE_STATUS_DROPPED = gettext_noop(
    "The status %(status)s cannot be pushed to Xero (payments and voids are made in Xero); the other values were "
    "written."
)
CURRENCY_NOT_ENABLED = gettext_noop(
    "The currency %(currency)s is not enabled in the Xero organisation %(organisation)s. Add it in Xero under "
    "Settings > Currencies, then resync."
)
DEPENDENCY_MISSING = gettext_noop(
    "Not synced because its %(dependency)s \"%(name)s\" (%(zoho_id)s) is not in %(target)s yet and could not be "
    "synced first. Fix that record (see its entry), then resync this one."
)
# Old entries only (they carried English text inside the sentence); new ones use TRANSFORM_FAILED_DETAIL and the
# PROVIDER_REFUSED_* messages below, which keep the provider's or the mapping's own words in the entry's details.
TRANSFORM_FAILED = gettext_noop("The values could not be mapped: %(error)s Fix the mapping or the record, then resync.")
PROVIDER_REFUSED = gettext_noop("%(target)s refused the record: %(error)s Fix the record, then resync.")
TRANSFORM_FAILED_DETAIL = gettext_noop(
    "The values could not be mapped (the reason is shown in this entry's details). Check the mapping and the "
    "record, then resync."
)
PROVIDER_REFUSED_FIELD = gettext_noop(
    "%(target)s refused the value \"%(value)s\" of %(field)s (error %(code)s; its answer is shown in this entry's "
    "details). Correct %(field)s, then resync."
)
PROVIDER_REFUSED_LINE = gettext_noop(
    "%(target)s refused the value \"%(value)s\" of %(field)s on line %(line)s (error %(code)s; its answer is shown "
    "in this entry's details). Correct %(field)s on that line, or its mapping, then resync."
)
PROVIDER_DUPLICATE = gettext_noop(
    "%(target)s already has another record with the value \"%(value)s\" in %(field)s (error %(code)s; the "
    "conflicting record is linked in this entry's details). Change the value in one of the two records, or merge "
    "them, then resync."
)
PROVIDER_REFUSED_RECORD = gettext_noop(
    "%(target)s refused the record (error %(code)s; its answer is shown in this entry's details). Correct what it "
    "names, then resync."
)
WAITS_FOR_DEPENDENCY = gettext_noop(
    "Waits for its %(dependency)s \"%(name)s\", which could not be synced to %(target)s: %(reason)s"
)
PROVIDER_UNAVAILABLE = gettext_noop(
    "%(target)s could not be reached (%(error)s). The portal will try again on the next run, or press Resync."
)
RECONNECT_NEEDED = gettext_noop("The connection to %(target)s needs to be renewed. Reconnect it on the Connections page.")

ARCHIVED = gettext_noop("Deleted in %(source)s, so the Xero contact was archived.")
ITEM_DELETED = gettext_noop("Deleted in %(source)s, so the Xero item was deleted.")
INVOICE_DELETED = gettext_noop("Deleted in %(source)s, so the %(status)s Xero invoice was deleted.")
INVOICE_VOIDED = gettext_noop("Deleted in %(source)s, so the authorised Xero invoice (no payments) was voided.")
INVOICE_HAS_PAYMENTS = gettext_noop(
    "Deleted in Zoho CRM, but the Xero invoice was not deleted or voided because it has payments (status "
    "%(status)s). Remove the payments in Xero first, then void the invoice there."
)
ZOHO_DELETED = gettext_noop("%(status)s in Xero, so the Zoho CRM record was deleted.")
ALREADY_GONE = gettext_noop("Deleted in %(source)s; the %(target)s record was already gone.")

# Zoho-bound checks (zoho_checks): what Zoho CRM would refuse, found before anything is written.
PRODUCT = gettext_noop("product")
ACCOUNT = gettext_noop("account")
CONTACT = gettext_noop("contact")
ZOHO_VALUE_MISSING = gettext_noop(
    "Zoho CRM requires a value for %(field)s, and the mapped value is empty. Fill it in Xero, or map another "
    "field to %(field)s under Mapping, then resync."
)
ZOHO_VALUE_TOO_LONG = gettext_noop(
    "The value \"%(value)s\" of %(field)s has %(length)s characters; Zoho CRM accepts at most %(max)s. Shorten it "
    "in Xero, then resync."
)
ZOHO_LINE_VALUE_MISSING = gettext_noop(
    "Line %(line)s (\"%(value)s\") has no value for %(field)s, which Zoho CRM requires on every invoice line. "
    "Fill it in Xero, then resync."
)
ITEMLESS_LINE_NO_PRODUCT = gettext_noop(
    "Line %(line)s (\"%(value)s\") has no Xero item, and Zoho CRM requires a %(field)s on every invoice line. "
    "Choose a Zoho product for lines without an item under Mapping › Xero Accounts, then resync."
)
WAITS_FOR_PRODUCT = gettext_noop(
    "Waits for the product with the Xero item code \"%(value)s\" (line %(line)s, %(field)s), which is not in "
    "Zoho CRM yet. Fix that product (see its entry), then resync this invoice."
)
WAITS_FOR_CONTACT = gettext_noop(
    "Waits for the Xero contact \"%(value)s\" (%(field)s), which is not in Zoho CRM yet. Fix that contact (see "
    "its entry), then resync this invoice."
)
