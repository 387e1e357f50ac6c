"""The subset of Xero's `where` and `order` query language the emulator understands.

Supported: comparisons `==`, `!=`, `>`, `>=`, `<`, `<=` between a field path (`Name`, `Contact.ContactID`) and a
literal ("text", 12.5, true, false, null, Guid("..."), DateTime(2024, 1, 31[, h, m, s])); `.Contains("x")`,
`.StartsWith("x")`, `.EndsWith("x")`, `.ToLower()`, `.ToUpper()` on text fields; `AND`/`&&`, `OR`/`||`, `NOT`/`!`
and parentheses. Text equality ignores case. Anything else (unknown fields, syntax) raises WhereError (400).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from .formats import _MS_DATE


class WhereError(ValueError):
    pass


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|>=|<=|&&|\|\||[<>!(),.])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE)


def _tokens(text: str):
    position, out = 0, []
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise WhereError(f"Unexpected character at position {position}: {text[position:position + 10]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        position = match.end()
    return out


_METHODS = {"Contains", "StartsWith", "EndsWith", "ToLower", "ToUpper"}


class _Parser:
    def __init__(self, text, fields):
        self.tokens = _tokens(text)
        self.i = 0
        self.fields = fields

    def peek(self, offset=0):
        index = self.i + offset
        return self.tokens[index] if index < len(self.tokens) else (None, None)

    def take(self, value=None):
        token = self.peek()
        if token[0] is None or (value is not None and token[1] != value):
            raise WhereError(f"Expected {value or 'more input'} near token {self.i + 1}")
        self.i += 1
        return token

    def parse(self):
        node = self.or_()
        if self.i != len(self.tokens):
            raise WhereError(f"Unexpected {self.peek()[1]!r}")
        return node

    def or_(self):
        node = self.and_()
        while self.peek()[1] in ("||",) or (self.peek()[0] == "name" and self.peek()[1].upper() == "OR"):
            self.i += 1
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.peek()[1] in ("&&",) or (self.peek()[0] == "name" and self.peek()[1].upper() == "AND"):
            self.i += 1
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.peek()[1] == "!" or (self.peek()[0] == "name" and self.peek()[1].upper() == "NOT"):
            self.i += 1
            return ("not", self.not_())
        if self.peek()[1] == "(":
            self.take("(")
            node = self.or_()
            self.take(")")
            return node
        return self.comparison()

    def comparison(self):
        left = self.operand()
        kind, value = self.peek()
        if kind == "op" and value in ("==", "!=", ">", ">=", "<", "<="):
            self.i += 1
            return ("cmp", value, left, self.operand())
        if left[0] in ("call",) or (left[0] == "literal" and isinstance(left[1], bool)):
            return ("truthy", left)
        if left[0] == "field":
            return ("truthy", left)
        raise WhereError("Expected a comparison")

    def literal_call(self, name):
        self.take("(")
        args = []
        while self.peek()[1] != ")":
            kind, value = self.take()
            if kind == "string":
                args.append(value)
            elif kind == "number":
                args.append(Decimal(value))
            else:
                raise WhereError(f"Unexpected {value!r} in {name}(...)")
            if self.peek()[1] == ",":
                self.i += 1
        self.take(")")
        if name == "Guid" and len(args) == 1 and isinstance(args[0], str):
            return ("literal", args[0].lower())
        if name in ("DateTime", "DateTimeOffset"):
            try:
                if len(args) == 1 and isinstance(args[0], str):
                    parsed = datetime.datetime.fromisoformat(args[0].replace("Z", "+00:00"))
                else:
                    parsed = datetime.datetime(*[int(a) for a in args], tzinfo=datetime.UTC)
            except (TypeError, ValueError):
                raise WhereError(f"Invalid {name}(...)") from None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.UTC)
            return ("literal", parsed)
        raise WhereError(f"Unsupported function {name}")

    def operand(self):
        kind, value = self.take()
        if kind == "string":
            return ("literal", value)
        if kind == "number":
            return ("literal", Decimal(value))
        if kind != "name":
            raise WhereError(f"Unexpected {value!r}")
        lowered = value.lower()
        if lowered in ("true", "false"):
            return ("literal", lowered == "true")
        if lowered == "null":
            return ("literal", None)
        if value in ("Guid", "DateTime", "DateTimeOffset") and self.peek()[1] == "(":
            return self.literal_call(value)
        path = [value]
        node = None
        while self.peek()[1] == ".":
            self.i += 1
            _, part = self.take()
            if part in _METHODS and self.peek()[1] == "(":
                node = ("field", ".".join(path)) if node is None else node
                self.take("(")
                argument = None
                if self.peek()[1] != ")":
                    arg_kind, argument = self.take()
                    if arg_kind != "string":
                        raise WhereError(f"{part}() takes a string")
                self.take(")")
                node = ("call", part, node, argument)
            elif node is None:
                path.append(part)
            else:
                raise WhereError("Unexpected member after a method call")
        if node is None:
            node = ("field", ".".join(path))
        field = _root_field(node)
        if self.fields is not None and field.split(".")[0] not in self.fields:
            raise WhereError(f"The field {field} is not supported in where")
        return node


def _root_field(node):
    while node[0] == "call":
        node = node[2]
    return node[1]


def parse(text: str, fields: set[str] | None):
    """Parse `where` into a predicate over a serialized record (a Xero-shaped dict)."""
    if not text or not text.strip():
        return None
    tree = _Parser(text, fields).parse()
    return lambda record: bool(_eval(tree, record))


def lookup(record: dict, path: str):
    node = record
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _value(node, record):
    kind = node[0]
    if kind == "literal":
        return node[1]
    if kind == "field":
        return lookup(record, node[1])
    if kind == "call":
        _, method, target, argument = node
        value = _value(target, record)
        text = "" if value is None else str(value)
        if method == "ToLower":
            return text.lower()
        if method == "ToUpper":
            return text.upper()
        needle = (argument or "").lower()
        haystack = text.lower()
        return {"Contains": needle in haystack, "StartsWith": haystack.startswith(needle),
                "EndsWith": haystack.endswith(needle)}[method]
    raise WhereError("Bad expression")


def _coerce(left, right):
    """Bring a record value and a literal to comparable types."""
    if isinstance(right, datetime.datetime) and isinstance(left, str):
        match = _MS_DATE.match(left)
        if match:
            left = datetime.datetime.fromtimestamp(int(match.group(1)) / 1000, tz=datetime.UTC)
    if isinstance(right, Decimal) and isinstance(left, int | float | str) and not isinstance(left, bool):
        try:
            left = Decimal(str(left))
        except InvalidOperation:
            pass
    if isinstance(left, str) and isinstance(right, str):
        return left.lower(), right.lower()
    return left, right


def _eval(node, record):
    kind = node[0]
    if kind == "or":
        return _eval(node[1], record) or _eval(node[2], record)
    if kind == "and":
        return _eval(node[1], record) and _eval(node[2], record)
    if kind == "not":
        return not _eval(node[1], record)
    if kind == "truthy":
        return bool(_value(node[1], record))
    _, op, left_node, right_node = node
    if left_node[0] == "literal" and right_node[0] != "literal":  # "ACTIVE"==Status
        left_node, right_node = right_node, left_node
        op = {">": "<", "<": ">", ">=": "<=", "<=": ">="}.get(op, op)
    left, right = _coerce(_value(left_node, record), _value(right_node, record))
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return False
    try:
        return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]
    except TypeError:
        return False


def order_key_parser(text: str, fields: set[str] | None):
    """`order=Name ASC, UpdatedDateUTC DESC` -> list of (path, descending)."""
    result = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise WhereError(f"Invalid order clause: {part.strip()}")
        field = words[0]
        if fields is not None and field.split(".")[0] not in fields:
            raise WhereError(f"The field {field} is not supported in order")
        result.append((field, len(words) == 2 and words[1].upper() == "DESC"))
    return result


def sort_records(records: list[dict], order: list[tuple[str, bool]]) -> list[dict]:
    def key(value):
        if isinstance(value, str):
            match = _MS_DATE.match(value)
            if match:
                return (1, int(match.group(1)), "")
            return (2, 0, value.lower())
        if value is None:
            return (0, 0, "")
        if isinstance(value, int | float | Decimal):
            return (1, value, "")
        return (2, 0, str(value))

    for path, descending in reversed(order):
        records = sorted(records, key=lambda r, p=path: key(lookup(r, p)), reverse=descending)
    return records
