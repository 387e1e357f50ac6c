"""Sync: the engine, its runs, the triggers and the Settings page (see sync/README.md for the rules).

Several Xero organisations on one Zoho CRM (README "Several Xero organisations on one Zoho CRM"):

- Zoho is the hub. Each Xero organisation links its records to Zoho records one to one (`RecordLink`, per Xero
  organisation, unique on both ids).
- Which organisations a new Zoho record goes to: each organisation's routing rule (`routing`, `ZohoRouting`, set
  on its Settings page): records created in Zoho (default), every record, records whose chosen Zoho field has a
  chosen value, or none. Invoices follow their account; rules decide creates only (linked records keep syncing,
  and matching comes before creating).
- Which organisation owns a Zoho record that came from Xero: the one whose record the portal copied into Zoho
  (`RecordLink.created_side == "zoho"`). Under the default rule no other organisation creates it; its Xero-id
  field keeps the owner's id.
- Two organisations holding the same customer (or item) share one Zoho account (product): the second matches
  the first's record (`engine.matching`, in the documented order) instead of creating one. Invoices are never
  shared between ledgers.
- Match-and-create is serialised per tenant and Zoho module across all its Xero organisations, triggers and
  workers (`runs.module_lock`), and a run re-reads after another holder wrote, so concurrent runs neither
  duplicate nor write stale data; the portal's own writes coming back write nothing (fingerprints, routing).
"""
