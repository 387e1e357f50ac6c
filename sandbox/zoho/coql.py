"""The COQL subset the portal uses (zoho.md §2 "COQL"):

    select f1, f2 from Module [where <conditions>] [order by f [asc|desc], ...] [limit n [offset m] | limit m, n]

Conditions: =, !=, <, <=, >, >=, like ('%' wildcards), not like, in (...), not in (...), is null,
is not null, between a and b; combined with and/or and parentheses.
"""

import re

from django.db.models import Q

from . import subform
from .errors import ZohoError
from .ids import is_id
from .listing import field_path, live
from .render import Renderer
from .schema import canonical_module, field_map
from .timefmt import parse

TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)|"
                   r"(?P<op>>=|<=|!=|<>|=|<|>)|(?P<punct>[(),*])|(?P<word>[A-Za-z_$][A-Za-z0-9_.$]*))")
MAX_LIMIT, DEFAULT_LIMIT, MAX_ROWS, MAX_SELECT = 2000, 200, 100_000, 50


def syntax_error(near: str = "") -> ZohoError:
    return ZohoError("SYNTAX_ERROR", "error occurred while parsing the query", {"near": near, "line": 1,
                                                                                "column": 1})


def tokenize(query: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    query = query.strip()
    while position < len(query):
        match = TOKEN.match(query, position)
        if not match or match.end() == position:
            raise syntax_error(query[position: position + 20])
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class Parser:
    def __init__(self, query: str):
        self.tokens = tokenize(query)
        self.position = 0

    def peek(self, offset=0):
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def keyword(self, *words) -> bool:
        kind, value = self.peek()
        if kind == "word" and value.lower() == words[0]:
            for offset, word in enumerate(words):
                kind, value = self.peek(offset)
                if kind != "word" or value.lower() != word:
                    return False
            self.position += len(words)
            return True
        return False

    def expect_keyword(self, *words):
        if not self.keyword(*words):
            raise syntax_error(str(self.peek()[1] or ""))

    def take(self, kind=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind):
            raise syntax_error(str(token[1] or ""))
        self.position += 1
        return token

    def punct(self, char) -> bool:
        if self.peek() == ("punct", char):
            self.position += 1
            return True
        return False


def run(org, user, query: str):
    """(status, body, credits) for POST /crm/v8/coql."""
    if not isinstance(query, str) or not query.strip():
        # coql.json's 400 answers know no REQUIRED_PARAM_MISSING: a missing query is an invalid one
        raise ZohoError("INVALID_QUERY", "invalid query formed",
                        {"reason": "select_query is missing or not a string", "param_name": "select_query"})
    parser = Parser(query)
    parser.expect_keyword("select")
    columns = []
    while True:
        kind, value = parser.take()
        if kind != "word":
            raise syntax_error(value)
        columns.append(value)
        if not parser.punct(","):
            break
    if len(columns) > MAX_SELECT:
        raise ZohoError("LIMIT_EXCEEDED", "select columns limit exceeded", {"clause": "select", "limit": MAX_SELECT})
    parser.expect_keyword("from")
    module_name = parser.take("word")[1]
    module = canonical_module(module_name)
    if module is None and subform.is_subform(module_name) and subform.enabled():
        from . import coql_subform

        return coql_subform.run(org, user, parser, columns)
    if module is None:
        raise ZohoError("INVALID_QUERY", "invalid query formed", {"clause": "from", "reason": "invalid module"})
    fields = field_map(module)
    for column in columns:
        if column != "id" and (column not in fields or fields[column].data_type == "subform"):
            raise ZohoError("INVALID_QUERY", "column given seems to be invalid",
                            {"column_name": column, "clause": "select"})
    records = live(org, module)
    if parser.keyword("where"):
        records = records.filter(_expression(parser, module))
    ordering = []
    if parser.keyword("order", "by"):
        while True:
            name = parser.take("word")[1]
            path, _ = _column(module, name, "order by")
            descending = parser.keyword("desc")
            if not descending:
                parser.keyword("asc")
            ordering.append(f"-{path}" if descending else path)
            if not parser.punct(","):
                break
    limit, offset = limit_clause(parser)
    records = records.order_by(*(ordering or ["zid"]))
    chunk = list(records[offset: offset + limit + 1])
    more, chunk = len(chunk) > limit, chunk[:limit]
    credits = credits_of(limit)
    if not chunk:
        return 204, None, credits
    renderer = Renderer(org, user.time_zone)
    data = []
    for record in chunk:
        row = {}
        for column in columns:
            if column == "id":
                continue
            value = renderer.value(record, fields[column])
            if fields[column].data_type in ("lookup", "ownerlookup") and value:
                value = {"id": value["id"]}  # COQL returns lookups as their id only
            row[column] = value
        row["id"] = str(record.zid)
        data.append(row)
    return 200, {"data": data, "info": {"count": len(data), "more_records": more}}, credits


def limit_clause(parser) -> tuple[int, int]:
    """`limit n [offset m]` or `limit m, n` (the end of the query): (limit, offset), within Zoho's caps."""
    limit, offset = DEFAULT_LIMIT, 0
    if parser.keyword("limit"):
        first = _whole(parser)
        if parser.punct(","):
            offset, limit = first, _whole(parser)
        else:
            limit = first
            if parser.keyword("offset"):
                offset = _whole(parser)
    if parser.peek()[0] is not None:
        raise syntax_error(str(parser.peek()[1]))
    if limit < 1 or limit > MAX_LIMIT:
        raise ZohoError("LIMIT_EXCEEDED", "limit exceeded", {"clause": "limit", "limit": MAX_LIMIT})
    if offset + limit > MAX_ROWS:
        raise ZohoError("LIMIT_EXCEEDED", "limit exceeded", {"clause": "offset", "limit": MAX_ROWS})
    return limit, offset


def credits_of(limit: int) -> int:
    return 1 if limit <= 200 else 2 if limit <= 1000 else 3


def _whole(parser) -> int:
    value = parser.take("number")[1]
    if not is_id(value):
        raise syntax_error(value)
    return int(value)


def _column(module, name, clause):
    try:
        return field_path(module, name)
    except ZohoError:
        raise ZohoError("INVALID_QUERY", "column given seems to be invalid",
                        {"column_name": name, "clause": clause}) from None


def _expression(parser, module) -> Q:
    result = _conjunction(parser, module)
    while parser.keyword("or"):
        result = result | _conjunction(parser, module)
    return result


def _conjunction(parser, module) -> Q:
    result = _term(parser, module)
    while parser.keyword("and"):
        result = result & _term(parser, module)
    return result


def _value(parser, module, name, field):
    kind, raw = parser.take()
    if kind == "string":
        text = re.sub(r"\\(.)", r"\1", raw[1:-1])
    elif kind == "number":
        text = raw
    elif kind == "word" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    else:
        raise syntax_error(raw)
    if name in ("Created_Time", "Modified_Time"):
        try:
            return parse(text, "select_query")
        except ZohoError:
            raise ZohoError("INVALID_QUERY", "value given seems to be invalid for the column",
                            {"column_name": name, "clause": "where"}) from None
    if name == "id" or (field is not None and field.data_type in ("lookup",)):
        if not is_id(text):
            raise ZohoError("INVALID_QUERY", "value given seems to be invalid for the column",
                            {"column_name": name, "clause": "where"})
        return int(text) if name == "id" else text
    if field is not None and field.data_type in ("currency", "double", "integer"):
        try:
            return float(text)
        except ValueError:
            raise ZohoError("INVALID_QUERY", "value given seems to be invalid for the column",
                            {"column_name": name, "clause": "where"}) from None
    return text


def _term(parser, module) -> Q:
    if parser.punct("("):
        result = _expression(parser, module)
        if not parser.punct(")"):
            raise syntax_error(str(parser.peek()[1] or ""))
        return result
    name = parser.take("word")[1]
    path, field = _column(module, name, "where")
    text_like = field is not None and field.json_type == "string" and field.data_type != "date"
    if parser.keyword("is", "not", "null"):
        return Q(**{f"{path}__isnull": False}) & ~Q(**{path: None})
    if parser.keyword("is", "null"):
        return Q(**{f"{path}__isnull": True}) | Q(**{path: None})
    negate = parser.keyword("not")
    if parser.keyword("like"):
        value = str(_value(parser, module, name, field))
        core = value.strip("%")
        lookup = ("icontains" if value.startswith("%") and value.endswith("%") else
                  "iendswith" if value.startswith("%") else "istartswith" if value.endswith("%") else "iexact")
        query = Q(**{f"{path}__{lookup}": core})
        return ~query if negate else query
    if parser.keyword("in"):
        if not parser.punct("("):
            raise syntax_error(str(parser.peek()[1] or ""))
        values = [_value(parser, module, name, field)]
        while parser.punct(","):
            values.append(_value(parser, module, name, field))
        if not parser.punct(")"):
            raise syntax_error(str(parser.peek()[1] or ""))
        if len(values) > 50:
            raise ZohoError("LIMIT_EXCEEDED", "in operator allows at most 50 values", {"limit": 50})
        query = Q()
        for value in values:
            query |= Q(**{f"{path}__iexact" if text_like else path: value})
        return ~query if negate else query
    if parser.keyword("between"):
        low = _value(parser, module, name, field)
        parser.expect_keyword("and")
        high = _value(parser, module, name, field)
        query = Q(**{f"{path}__gte": low, f"{path}__lte": high})
        return ~query if negate else query
    if negate:
        raise syntax_error("not")
    kind, op = parser.take("op")
    value = _value(parser, module, name, field)
    if op == "=":
        return Q(**{f"{path}__iexact" if text_like else path: value})
    if op in ("!=", "<>"):
        return ~Q(**{f"{path}__iexact" if text_like else path: value})
    lookup = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}[op]
    return Q(**{f"{path}__{lookup}": value})
