"""The sync engine: plain Python that decides what to write where (records in, operations out).

- `modules`: what each synced module looks like on each side (ids, names, modification times).
- `fingerprint`: stable hashes of mapped values, so unchanged records and our own echoes are skipped.
- `planner`: source records + links + settings + the target's current state -> operations with reasons.
- `executor`: performs operations through gateways (batched provider adapters), updates links, writes audit.
- `gateways`: the gateway protocol and the adapters around the Xero and Zoho clients.

Nothing here imports Celery or `requests`; tests drive it with in-memory gateways and stores.
"""
