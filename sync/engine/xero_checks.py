"""What Xero would refuse in a planned write, checked before anything is sent (plain Python).

The planner runs this check for every create and update towards Xero (`Planner._check_write`), so every trigger
(cron, Historical Sync and its dry run, Copy to Xero, On Save, Resync) refuses the same records with the same
reason, and the portal never sends a request the mapping can tell is invalid (a Zoho product without a Product
Code as `PUT /Items` without `Code`). The rules are the mapping catalogue's (`mapping.record_checks.
validate_payload`): a mandatory value missing, a value longer than Xero accepts. An update leaves the fields it
does not send as they are, so only a create needs every mandatory value. A ContactPerson (`Operation.nested`)
is an element inside its parent's Xero contact, not a record of the module's catalogue: not checked here.
"""

from mapping.problems import ERROR
from mapping.record_checks import validate_payload

from .operations import CREATE, UPDATE, Operation

MISSING = "missing_value"


def problem_of(operation: Operation):
    """The first error (a mapping.problems.Problem) Xero would answer the planned write with, or None."""
    if operation.action not in (CREATE, UPDATE) or operation.payload is None or operation.nested:
        return None
    problems = [problem for problem in validate_payload(operation.module, operation.payload,
                                                        record_label=operation.name or operation.source_id)
                if problem.severity == ERROR and (operation.action == CREATE or problem.code != MISSING)]
    return problems[0] if problems else None


def keep_target_values(operation: Operation) -> None:
    """An update that does not send a mandatory value (a linked item whose Zoho product has no code) sends the Xero
    record's own value again: Xero keeps what an update leaves out, but its schema wants every mandatory value in
    each element (an Item's Code), so the request stays valid and nothing changes in Xero."""
    if operation.action != UPDATE or operation.payload is None or operation.nested or not operation.target:
        return
    for problem in validate_payload(operation.module, operation.payload):
        field = problem.field or ""
        if problem.code != MISSING or not field or "." in field or "[" in field:
            continue
        value = operation.target.get(field)
        if value not in (None, ""):
            operation.payload = {**operation.payload, field: value}


def check_for_xero(operation: Operation) -> Operation | None:
    """The operation, failed with the problem's whole translatable message, or None when Xero would take it."""
    problem = problem_of(operation)
    if problem is None:
        return None
    return operation.fail(problem.message_key, **problem.params)
