"""Sandbox-wide operations: wipe everything, seed both providers."""

import importlib

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections

from . import clock, config, providers, traffic
from .concurrency import InFlight

SANDBOX_DB = "sandbox"


def sandbox_models():
    for app_config in apps.get_app_configs():
        if app_config.label == "sandbox" or app_config.label.startswith("sandbox_"):
            yield from app_config.get_models(include_auto_created=True)


def wipe_tables() -> None:
    """Empty every table of every sandbox app (both providers and the core)."""
    connection = connections[SANDBOX_DB]
    existing = set(connection.introspection.table_names())
    tables = sorted({model._meta.db_table for model in sandbox_models()} & existing)
    if not tables:
        return
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    connection.ops.execute_sql_flush(statements)


_in_flight_registries: list[InFlight] = []


def track(registry: InFlight) -> InFlight:
    """Register an in-memory InFlight registry so a reset clears it."""
    _in_flight_registries.append(registry)
    return registry


def reset_all() -> None:
    """POST /_sandbox/reset: every table, the clock, the configuration and the counters, plus in-memory state."""
    wipe_tables()
    clock.reset()
    config.reset()
    traffic.reset_counters()
    forget_memory_state()


def forget_memory_state() -> None:
    """Clear what the server keeps in memory (in-flight counts, providers' caches, the injection sequence)."""
    for registry in _in_flight_registries:
        registry.clear()
    for provider in providers.all_registered():
        if provider.on_reset:
            provider.on_reset()
    config.reseed()


def app_is_empty(label: str) -> bool:
    """True when no model of the app holds a row."""
    return not any(model._default_manager.using(SANDBOX_DB).exists()
                   for model in apps.get_app_config(label).get_models())


def optional_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise


def seed(*, xero: dict | None = None, zoho: dict | None = None, if_empty: bool = False) -> dict:
    """Seed both emulators (each only when its seed module exists). Returns what each seeded."""
    result = {}
    for name, options in (("xero", xero or {}), ("zoho", zoho or {})):
        module = optional_module(f"sandbox.{name}.seed")
        if module is None:
            result[name] = None
            continue
        if if_empty and not app_is_empty(f"sandbox_{name}"):
            result[name] = "skipped"
            continue
        result[name] = module.seed(**options)
    return result
