"""One batch end to end: read the target's state, plan, execute. The unit the run loop checkpoints."""

from dataclasses import replace

from .executor import Executor
from .modules import XERO, sides, spec
from .operations import LinkIndex, TransformError
from .planner import plan, project


def run_batch(module, direction, *, sources, deleted_ids=(), target, links: LinkIndex, store, audit, policy, transforms):
    """Sync `sources` (records of the source side) and `deleted_ids` to the `target` gateway; returns operations."""
    operations = plan_batch(module, direction, sources=sources, deleted_ids=deleted_ids, target=target, links=links,
                            policy=policy, transforms=transforms)
    module_spec = spec(module)
    source_side, _target_side = sides(direction)
    backward = transforms.towards(source_side)

    def project_back(record, zoho_id):
        return project(module_spec, source_side, backward, record, links, zoho_id)

    Executor(module_spec, direction, gateway=target, store=store, audit=audit, project_back=project_back).execute(
        operations
    )
    return operations


def plan_batch(module, direction, *, sources, deleted_ids=(), target, links: LinkIndex, policy, transforms):
    """What `run_batch` would do: the target's state is read (linked records, matching candidates), nothing is
    written."""
    module_spec = spec(module)
    source_side, target_side = sides(direction)
    linked_ids = []
    for record in sources:
        link = links.get(source_side, module_spec.record_id(source_side, record))
        if link is not None:
            linked_ids.append(link.id_on(target_side))
    for record_id in deleted_ids:
        link = links.get(source_side, record_id)
        if link is not None:
            linked_ids.append(link.id_on(target_side))
    targets = target.fetch(module, sorted(set(linked_ids))) if linked_ids else {}

    forward = transforms.towards(target_side)
    lookups = []
    for record in sources:
        record_id = module_spec.record_id(source_side, record)
        if links.get(source_side, record_id) is not None and not (module == "accounts" and target_side == XERO):
            continue  # linked: no lookup (accounts -> Xero still need the names in use)
        try:
            lookups.append({**project(module_spec, target_side, forward, record, links), "__source": record})
        except TransformError:
            continue
    candidates = target.candidates(module, lookups) if lookups else []

    operations = plan(
        module_spec,
        direction,
        sources,
        deleted_ids=deleted_ids,
        links=links,
        targets=targets,
        candidates=candidates,
        policy=policy,
        transforms=transforms,
    )
    rechecks = [operation.source_id for operation in operations if operation.recheck]
    if rechecks and policy.reread is not None:  # read again, under the caller's lock, and plan from what is current
        fresh = plan(module_spec, direction, policy.reread(rechecks), links=links, targets=targets, candidates=candidates,
                     policy=replace(policy, reread=None), transforms=transforms)
        by_source = {operation.source_id: operation for operation in fresh}
        operations = [by_source.get(operation.source_id, operation) if operation.recheck else operation
                      for operation in operations]
    return operations
