"""The rule condition language: tokenizer and precedence-climbing parser to a small AST.

Conditions are never run by Python ``eval``: text becomes tokens, tokens become the nodes
below, and ``compiler`` turns nodes into polars expressions, checking names and types.

    amount_xof >= param.cash_threshold_xof * 0.9 and channel_kind in ['cash', 'hawala']
    contains_any(purpose, words.drug_terms) or not (beneficiary_country in set.sahel)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aml_screen.errors import InputError

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d[\d_]*(?:\.\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|%|\(|\)|\[|\]|,|\.)
""", re.VERBOSE)
BINARY_PRECEDENCE = {
    "or": 1, "and": 2,
    "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4, "not in": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}
_COMPARISON = 4
_NOT_PRECEDENCE = 3
_UNARY_MINUS_PRECEDENCE = 7


class ExpressionError(InputError):
    """A condition that cannot be parsed or compiled; ``params`` say what and where."""


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    pos: int


@dataclass(frozen=True)
class Number:
    text: str
    pos: int


@dataclass(frozen=True)
class String:
    value: str
    pos: int


@dataclass(frozen=True)
class Constant:
    value: bool | None
    pos: int


@dataclass(frozen=True)
class Name:
    parts: tuple[str, ...]
    pos: int

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class ListOf:
    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Unary:
    op: str  # "not" or "-"
    operand: Node
    pos: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node
    pos: int


Node = Number | String | Constant | Name | Call | ListOf | Unary | Binary


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError("rules.expr.bad_character", char=text[pos], pos=pos + 1)
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "name" and value in KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(Token(kind, value, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        if self.token.text != text or self.token.kind in ("string", "end"):
            raise self.unexpected(expected=text)
        return self.advance()

    def unexpected(self, expected: str = "") -> ExpressionError:
        found = self.token.text or "end of expression"
        if expected:
            return ExpressionError("rules.expr.expected", expected=expected, found=found,
                                   pos=self.token.pos + 1)
        return ExpressionError("rules.expr.unexpected", found=found, pos=self.token.pos + 1)

    def binary_operator(self) -> str | None:
        token = self.token
        if token.kind not in ("op", "keyword"):
            return None
        if token.text == "not" and self.tokens[self.index + 1].text == "in":
            return "not in"
        return token.text if token.text in BINARY_PRECEDENCE else None

    def expression(self, min_precedence: int = 1) -> Node:
        left = self.prefix(min_precedence)
        while (op := self.binary_operator()) is not None:
            precedence = BINARY_PRECEDENCE[op]
            if precedence < min_precedence:
                break
            pos = self.advance().pos
            if op == "not in":
                self.advance()
            right = self.expression(precedence + 1)
            left = Binary(op, left, right, pos)
            if precedence == _COMPARISON and self.binary_operator() in _COMPARISONS:
                raise ExpressionError("rules.expr.chained_comparison", pos=self.token.pos + 1)
        return left

    def prefix(self, min_precedence: int) -> Node:
        token = self.token
        if token.text == "not" and token.kind == "keyword":
            self.advance()
            return Unary("not", self.expression(max(min_precedence, _NOT_PRECEDENCE)), token.pos)
        if token.text == "-" and token.kind == "op":
            self.advance()
            return Unary("-", self.expression(_UNARY_MINUS_PRECEDENCE), token.pos)
        return self.primary()

    def primary(self) -> Node:
        token = self.advance()
        if token.kind == "number":
            return Number(token.text.replace("_", ""), token.pos)
        if token.kind == "string":
            return String(_unquote(token.text), token.pos)
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[token.text]
            return Constant(value, token.pos)
        if token.text == "(" and token.kind == "op":
            inner = self.expression()
            self.expect(")")
            return inner
        if token.text == "[" and token.kind == "op":
            return ListOf(self.items("]"), token.pos)
        if token.kind == "name":
            if self.token.text == "(" and self.token.kind == "op":
                self.advance()
                return Call(token.text, self.items(")"), token.pos)
            parts = [token.text]
            while self.token.text == "." and self.token.kind == "op":
                self.advance()
                if self.token.kind != "name":
                    raise self.unexpected(expected="name")
                parts.append(self.advance().text)
            return Name(tuple(parts), token.pos)
        self.index -= 1
        raise self.unexpected()

    def items(self, closing: str) -> tuple[Node, ...]:
        items: list[Node] = []
        while not (self.token.text == closing and self.token.kind == "op"):
            items.append(self.expression())
            if self.token.text != closing:
                self.expect(",")
        self.advance()
        return tuple(items)


_COMPARISONS = frozenset(op for op, p in BINARY_PRECEDENCE.items() if p == _COMPARISON)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse(text: str) -> Node:
    """The AST of one expression; ``ExpressionError`` (with the 1-based position) if the
    text is not a complete expression."""
    parser = _Parser(text)
    if parser.token.kind == "end":
        raise ExpressionError("rules.expr.empty")
    node = parser.expression()
    if parser.token.kind != "end":
        raise parser.unexpected()
    return node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node`` (none for a name or a literal)."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, ListOf):
        return node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def names_in(node: Node) -> list[Name]:
    """Every name the expression refers to (columns, ``param.x``, ``set.x``…), in order."""
    if isinstance(node, Name):
        return [node]
    return [name for child in children(node) for name in names_in(child)]


def conjuncts(node: Node) -> list[Node]:
    """The ``and``-ed parts of ``node``, flattened (``node`` itself when it is no ``and``)."""
    if isinstance(node, Binary) and node.op == "and":
        return [*conjuncts(node.left), *conjuncts(node.right)]
    return [node]


def conjunction(parts: list[Node], pos: int) -> Node | None:
    """``parts`` joined by ``and`` (None for no part): the inverse of ``conjuncts``."""
    if not parts:
        return None
    joined = parts[0]
    for part in parts[1:]:
        joined = Binary("and", joined, part, pos)
    return joined
