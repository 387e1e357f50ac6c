"""The sandbox apps keep their store in the `sandbox` database alias, apart from the portal's data."""


def _is_sandbox(app_label: str) -> bool:
    return app_label == "sandbox" or app_label.startswith("sandbox_")


class SandboxRouter:
    def db_for_read(self, model, **hints):
        return "sandbox" if _is_sandbox(model._meta.app_label) else None

    db_for_write = db_for_read

    def allow_relation(self, obj1, obj2, **hints):
        return _is_sandbox(obj1._meta.app_label) == _is_sandbox(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == ("sandbox" if _is_sandbox(app_label) else "default")
