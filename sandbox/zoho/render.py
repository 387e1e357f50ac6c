"""Records as the API returns them: every field (null when empty), lookups as {"id", "name"}."""

from .models import Record, Tax, User
from .schema import SUBFORM_MODULE, fields_of
from .timefmt import fmt


class Renderer:
    """Renders records of one org, resolving lookup names and users in batches."""

    def __init__(self, org, tz: str):
        self.org, self.tz = org, tz
        self.users = {user.pk: user for user in User.objects.filter(org=org)}
        self.taxes = {str(tax.zid): tax for tax in Tax.objects.filter(org=org)}
        self.names: dict[str, str] = {}

    def preload(self, records) -> None:
        wanted = set()
        for record in records:
            for field in fields_of(record.module):
                if field.data_type == "lookup" and record.data.get(field.api_name):
                    wanted.add(int(record.data[field.api_name]))
            for line in record.data.get("Invoiced_Items") or []:
                if line.get("Product_Name"):
                    wanted.add(int(line["Product_Name"]))
        wanted -= {int(key) for key in self.names}
        if wanted:
            for zid, name in Record.objects.filter(org=self.org, zid__in=wanted).values_list("zid", "name"):
                self.names[str(zid)] = name

    def user(self, pk) -> dict | None:
        user = self.users.get(pk)
        return {"name": user.full_name, "id": str(user.zid), "email": user.email} if user else None

    def lookup(self, value) -> dict | None:
        return {"id": value, "name": self.names.get(value)} if value else None

    def value(self, record: Record, field):
        name, kind = field.api_name, field.data_type
        if name == "Owner":
            return self.user(record.owner_id)
        if name == "Created_By":
            return self.user(record.created_by_id)
        if name == "Modified_By":
            return self.user(record.modified_by_id)
        if name == "Created_Time":
            return fmt(record.created_time, self.tz)
        if name == "Modified_Time":
            return fmt(record.modified_time, self.tz)
        value = record.data.get(name)
        if kind == "lookup":
            return self.lookup(value)
        if kind == "multiselectpicklist":
            return [{"id": zid, "value": self.taxes[zid].name} for zid in value or [] if zid in self.taxes]
        if kind == "subform":
            return [self.line(line) for line in value or []]
        return value

    def line(self, line: dict) -> dict:
        out = {"id": line["id"]}
        for field in fields_of(SUBFORM_MODULE):
            value = line.get(field.api_name)
            if field.data_type == "lookup":
                value = self.lookup(value)
            elif field.data_type == "linetax":
                value = [self.line_tax(entry) for entry in value or []]
            out[field.api_name] = value
        return out

    def line_tax(self, entry: dict) -> dict:
        """A line's tax as Zoho's `linetax` type has it: id, name, percentage, value and `display_name`."""
        tax = self.taxes.get(str(entry.get("id")))
        label = tax.display_label if tax is not None else f"{entry.get('name')} - {entry.get('percentage')} %"
        return {**entry, "display_name": label}

    def record(self, record: Record, fields: list[str] | None = None, *, subform: bool = True) -> dict:
        out = {}
        for field in fields_of(record.module):
            if fields is not None and field.api_name not in fields:
                continue
            if field.data_type == "subform" and not subform:
                continue
            out[field.api_name] = self.value(record, field)
        out["id"] = str(record.zid)
        return out

    def many(self, records, fields=None, *, subform=False) -> list[dict]:
        records = list(records)
        self.preload(records)
        return [self.record(record, fields, subform=subform) for record in records]
