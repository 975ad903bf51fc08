"""GitHub Actions expressions (``${{ ... }}``), evaluated as the runner evaluates them.

Only the part of the language a workflow of this project can use: literals, context
lookups (``github.ref``, ``steps.x.outputs['y']``), ``!``, ``==``, ``!=``, ``<``, ``<=``,
``>``, ``>=``, ``&&``, ``||``, parentheses, and the functions ``success()``,
``failure()``, ``cancelled()``, ``always()``, ``hashFiles()``, ``contains()``,
``startsWith()``, ``endsWith()``, ``format()``, ``join()``, ``toJSON()`` and ``fromJSON()``.
Semantics follow GitHub's documentation ("Evaluate expressions in workflows and actions"):
``&&`` and ``||`` return one of their operands, a missing property is ``null``, string
comparison ignores case, and operands of different types compare as numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Context", "ExpressionError", "evaluate", "interpolate", "is_truthy", "to_string"]

TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+)"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
STATUS_FUNCTIONS = ("success", "failure", "cancelled", "always")


class ExpressionError(ValueError):
    """An expression this evaluator cannot read (a typo, or syntax GitHub would refuse)."""


@dataclass
class Context:
    """The contexts an expression may read, and the job's status for the status functions."""

    values: dict[str, Any]
    workspace: Path
    #: "success", "failure" or "cancelled": the job so far (steps) or its needs (jobs).
    status: Callable[[], str] = field(default=lambda: "success")


def is_truthy(value: Any) -> bool:
    """GitHub's truthiness: null, false, 0, NaN and '' are false; everything else is true."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, float | int) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    return True


def to_string(value: Any) -> str:
    """How a value appears when interpolated into a string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2)
    return str(value)


def _to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0.0
        try:
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        except ValueError:
            return math.nan
    return math.nan


def _compare(left: Any, right: Any) -> tuple[Any, Any]:
    """Coerce two operands as GitHub does before comparing them."""
    if type(left) is type(right) or (
        isinstance(left, int | float)
        and isinstance(right, int | float)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ):
        if isinstance(left, str):
            return left.casefold(), right.casefold()
        return left, right
    return _to_number(left), _to_number(right)


def _lookup(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping):
        if key in value:
            return value[key]
        wanted = str(key).casefold()
        return next((v for k, v in value.items() if str(k).casefold() == wanted), None)
    if isinstance(value, list) and isinstance(key, int | float):
        index = int(key)
        return value[index] if 0 <= index < len(value) else None
    return None


def hash_files(workspace: Path, patterns: list[str]) -> str:
    """``hashFiles``: SHA-256 over each matched file's SHA-256, '' when nothing matches.

    Patterns are relative to GITHUB_WORKSPACE; ``*`` stays within one path segment and
    ``**`` crosses segments, as in @actions/glob; a leading ``!`` excludes.
    """
    included: set[Path] = set()
    for pattern in patterns:
        negate = pattern.startswith("!")
        matched = {p for p in workspace.glob(pattern.lstrip("!")) if p.is_file()}
        included = included - matched if negate else included | matched
    if not included:
        return ""
    digest = hashlib.sha256()
    for path in sorted(included):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class _Parser:
    def __init__(self, text: str, context: Context) -> None:
        self.tokens = self._tokenize(text)
        self.position = 0
        self.context = context
        self.text = text

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, position = [], 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = TOKEN.match(text, position)
            if not match or match.end() == position:
                raise ExpressionError(f"cannot read {text[position:]!r} in {text!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} in {self.text!r}")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.or_expression()
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()[1]!r} in {self.text!r}")
        return value

    def or_expression(self) -> Any:
        value = self.and_expression()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_expression()
            value = value if is_truthy(value) else right
        return value

    def and_expression(self) -> Any:
        value = self.comparison()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.comparison()
            value = right if is_truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in {("op", o) for o in ("==", "!=", "<", "<=", ">", ">=")}:
            op = self.take()[1]
            left, right = _compare(value, self.unary())
            if isinstance(left, float) and (math.isnan(left) or math.isnan(right)):
                value = op == "!="
                continue
            value = {
                "==": left == right,
                "!=": left != right,
                "<": left < right,
                "<=": left <= right,
                ">": left > right,
                ">=": left >= right,
            }[op]
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not is_truthy(self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        value = self.primary()
        while self.peek() in {("op", "."), ("op", "[")}:
            if self.take()[1] == ".":
                kind, name = self.take()
                if kind != "name":
                    raise ExpressionError(f"expected a property name after '.' in {self.text!r}")
                value = _lookup(value, name)
            else:
                key = self.or_expression()
                self.take("]")
                value = _lookup(value, key)
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "number":
            return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "op" and text == "(":
            value = self.or_expression()
            self.take(")")
            return value
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r} in {self.text!r}")
        if text in {"true", "false"}:
            return text == "true"
        if text == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(text)
        if text not in self.context.values:
            raise ExpressionError(f"unknown context {text!r} in {self.text!r}")
        return self.context.values[text]

    def call(self, name: str) -> Any:
        self.take("(")
        args: list[Any] = []
        while self.peek() != ("op", ")"):
            args.append(self.or_expression())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        return self.function(name, args)

    def function(self, name: str, args: list[Any]) -> Any:
        lowered = name.lower()
        status = self.context.status
        if lowered == "success":
            return status() == "success"
        if lowered == "failure":
            return status() == "failure"
        if lowered == "cancelled":
            return status() == "cancelled"
        if lowered == "always":
            return True
        if lowered == "hashfiles":
            return hash_files(self.context.workspace, [to_string(a) for a in args])
        if lowered == "contains":
            haystack, needle = args
            if isinstance(haystack, list):
                return any(
                    _compare(item, needle)[0] == _compare(item, needle)[1] for item in haystack
                )
            return to_string(needle).casefold() in to_string(haystack).casefold()
        if lowered == "startswith":
            return to_string(args[0]).casefold().startswith(to_string(args[1]).casefold())
        if lowered == "endswith":
            return to_string(args[0]).casefold().endswith(to_string(args[1]).casefold())
        if lowered == "format":
            text = to_string(args[0])
            for index, value in enumerate(args[1:]):
                text = text.replace("{" + str(index) + "}", to_string(value))
            return text
        if lowered == "join":
            separator = to_string(args[1]) if len(args) > 1 else ","
            items = args[0] if isinstance(args[0], list) else [args[0]]
            return separator.join(to_string(item) for item in items)
        if lowered == "tojson":
            return json.dumps(args[0], indent=2)
        if lowered == "fromjson":
            return json.loads(to_string(args[0]))
        raise ExpressionError(f"unknown function {name}() in {self.text!r}")


def evaluate(expression: str, context: Context) -> Any:
    """The value of one expression, with or without its ``${{ }}``."""
    text = expression.strip()
    whole = TEMPLATE.fullmatch(text)
    return _Parser(whole.group(1) if whole else text, context).parse()


def interpolate(value: Any, context: Context) -> Any:
    """A workflow value with every ``${{ }}`` replaced (a lone expression keeps its type)."""
    if isinstance(value, dict):
        return {key: interpolate(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, context) for item in value]
    if not isinstance(value, str):
        return value
    whole = TEMPLATE.fullmatch(value.strip())
    if whole and value.strip() == value:
        return evaluate(value, context)
    return TEMPLATE.sub(lambda m: to_string(_Parser(m.group(1), context).parse()), value)


def condition(expression: Any, context: Context) -> bool:
    """An ``if:``: with no status function in it, GitHub reads it as ``success() && (...)``."""
    if expression is None:
        return context.status() == "success"
    if isinstance(expression, bool):
        return expression and context.status() == "success"
    text = str(expression)
    explicit = any(re.search(rf"\b{name}\s*\(", text, re.I) for name in STATUS_FUNCTIONS)
    if not explicit and context.status() != "success":
        return False
    return is_truthy(evaluate(text, context))
