"""What the connections app announces, for the apps that build on it (mapping, sync) to act upon.

`connections` sits below `mapping` and `sync` and never imports them; a higher app that must act when a
connection is made connects a receiver in its `AppConfig.ready`.
"""

from django.dispatch import Signal

# Sent (after the transaction commits) when a Zoho CRM was connected or reconnected. Argument: organisation_id.
zoho_connected = Signal()

# Sent (after the transaction commits) when a Xero organisation was chosen for sync. Argument: xero_organisation_id.
xero_organisation_chosen = Signal()
