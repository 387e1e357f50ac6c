"""COQL on the line-item subform: `select Product_Name, Quantity, Parent_Id from Invoiced_Items
where Parent_Id in (...) order by Parent_Id, id limit 2000`.

The same grammar, limits and credits as COQL on a module (coql.py); the conditions are evaluated on the
flattened lines (subform.rows), and a top-level `Parent_Id = x` / `Parent_Id in (...)` narrows the invoices read.
Columns: the subform's fields, `Parent_Id` and `id`; lookups come back as `{"id"}` (as COQL returns them).
"""

import operator
import re

from .coql import Parser, credits_of, limit_clause, syntax_error
from .errors import ZohoError
from .render import Renderer
from .schema import SUBFORM_MODULE, field_map
from .subform import SYSTEM_COLUMNS, raw_value, render_row, rows

COMPARE = {"=": operator.eq, "!=": operator.ne, "<>": operator.ne, "<": operator.lt, "<=": operator.le,
           ">": operator.gt, ">=": operator.ge}


def _invalid_column(name, clause):
    return ZohoError("INVALID_QUERY", "column given seems to be invalid", {"column_name": name, "clause": clause})


def _check_column(name, clause):
    fields = field_map(SUBFORM_MODULE)
    if name not in SYSTEM_COLUMNS and (name not in fields or fields[name].data_type == "linetax"):
        raise _invalid_column(name, clause)
    return name


def _is_id(name) -> bool:
    return name in SYSTEM_COLUMNS or field_map(SUBFORM_MODULE)[name].data_type == "lookup"


def _numeric(name) -> bool:
    return _is_id(name) or field_map(SUBFORM_MODULE)[name].data_type in ("currency", "double", "integer")


def _value(parser: Parser, name):
    kind, raw = parser.take()
    if kind == "string":
        text = re.sub(r"\\(.)", r"\1", raw[1:-1])
    elif kind == "number":
        text = raw
    else:
        raise syntax_error(raw)
    if _numeric(name):
        try:
            return int(text) if _is_id(name) else float(text)  # 19-digit ids compare exactly, as ints
        except ValueError:
            raise ZohoError("INVALID_QUERY", "value given seems to be invalid for the column",
                            {"column_name": name, "clause": "where"}) from None
    return text.lower()


def _comparable(record, line, name):
    value = raw_value(record, line, name)
    if value is None:
        return None
    if _is_id(name):
        return int(value)
    if _numeric(name):
        return float(value)
    return str(value).lower()


def _like(pattern: str):
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$"
    return re.compile(regex, re.S)


class Condition:
    """A parsed where-clause: `test(record, line)`, and the parent ids it pins (None: any parent)."""

    def __init__(self, test, parents=None):
        self.test, self.parents = test, parents


def _expression(parser) -> Condition:
    terms = [_conjunction(parser)]
    while parser.keyword("or"):
        terms.append(_conjunction(parser))
    if len(terms) == 1:
        return terms[0]
    pinned = [term.parents for term in terms]
    parents = set.union(*pinned) if all(p is not None for p in pinned) else None  # only those invoices are read
    return Condition(lambda record, line: any(term.test(record, line) for term in terms), parents)


def _conjunction(parser) -> Condition:
    terms = [_term(parser)]
    while parser.keyword("and"):
        terms.append(_term(parser))
    if len(terms) == 1:
        return terms[0]
    pinned = [term.parents for term in terms if term.parents is not None]
    parents = set.intersection(*pinned) if pinned else None
    return Condition(lambda record, line: all(term.test(record, line) for term in terms), parents)


def _term(parser) -> Condition:
    if parser.punct("("):
        inner = _expression(parser)
        if not parser.punct(")"):
            raise syntax_error(str(parser.peek()[1] or ""))
        return inner
    name = _check_column(parser.take("word")[1], "where")
    if parser.keyword("is", "not", "null"):
        return Condition(lambda record, line: _comparable(record, line, name) not in (None, ""))
    if parser.keyword("is", "null"):
        return Condition(lambda record, line: _comparable(record, line, name) in (None, ""))
    negate = parser.keyword("not")
    if parser.keyword("like"):
        pattern = _like(str(_value(parser, name)))
        return Condition(lambda record, line: negate != bool(
            pattern.match(str(_comparable(record, line, name) or ""))))
    if parser.keyword("in"):
        if not parser.punct("("):
            raise syntax_error(str(parser.peek()[1] or ""))
        values = [_value(parser, name)]
        while parser.punct(","):
            values.append(_value(parser, name))
        if not parser.punct(")"):
            raise syntax_error(str(parser.peek()[1] or ""))
        if len(values) > 50:
            raise ZohoError("LIMIT_EXCEEDED", "in operator allows at most 50 values", {"limit": 50})
        wanted = set(values)
        parents = {int(value) for value in values} if name == "Parent_Id" and not negate else None
        return Condition(lambda record, line: negate != (_comparable(record, line, name) in wanted), parents)
    if parser.keyword("between"):
        low = _value(parser, name)
        parser.expect_keyword("and")
        high = _value(parser, name)

        def between(record, line):
            value = _comparable(record, line, name)
            return negate != (value is not None and low <= value <= high)

        return Condition(between)
    if negate:
        raise syntax_error("not")
    op = parser.take("op")[1]
    value = _value(parser, name)
    compare = COMPARE[op]
    parents = {int(value)} if name == "Parent_Id" and op == "=" else None

    def test(record, line):
        current = _comparable(record, line, name)
        return current is not None and compare(current, value)

    return Condition(test, parents)


def run(org, user, parser: Parser, columns: list[str]):
    """(status, body, credits) of a COQL select on Invoiced_Items; the parser stands after `from <module>`."""
    for column in columns:
        _check_column(column, "select")
    condition = Condition(lambda record, line: True)
    if parser.keyword("where"):
        condition = _expression(parser)
    ordering = []
    if parser.keyword("order", "by"):
        while True:
            name = _check_column(parser.take("word")[1], "order by")
            descending = parser.keyword("desc")
            if not descending:
                parser.keyword("asc")
            ordering.append((name, descending))
            if not parser.punct(","):
                break
    limit, offset = limit_clause(parser)
    matched = [(record, line) for record, line in rows(org, condition.parents) if condition.test(record, line)]
    for name, descending in reversed(ordering or [("id", False)]):
        matched.sort(key=lambda pair, name=name: (_comparable(*pair, name) is None, _comparable(*pair, name) or 0
                                                  if _numeric(name) else _comparable(*pair, name) or ""),
                     reverse=descending)
    chunk = matched[offset: offset + limit + 1]
    more, chunk = len(chunk) > limit, chunk[:limit]
    credits = credits_of(limit)
    if not chunk:
        return 204, None, credits
    renderer = Renderer(org, user.time_zone)
    data = [render_row(renderer, record, line, columns, lookups_as_id_only=True) for record, line in chunk]
    return 200, {"data": data, "info": {"count": len(data), "more_records": more}}, credits

