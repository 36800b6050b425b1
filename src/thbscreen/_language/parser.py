"""Tokenizer and recursive-descent parser, with limits that stop hostile input early.

Nesting depth is measured on the token stream before any recursion, so an expression
nested ten thousand deep is refused without touching Python's recursion limit.
"""

from __future__ import annotations

import math
import re

from .ast import (
    BINARY_OPS,
    COMPARISONS,
    FUNCTIONS,
    Binary,
    Call,
    ListLit,
    Literal,
    Name,
    Node,
    Unary,
)
from .where import EXPRESSION, Where

__all__ = ["KEYWORDS", "MAX_DEPTH", "MAX_LENGTH", "MAX_NODES", "MAX_TREE_DEPTH", "parse"]

MAX_LENGTH = 10_000
MAX_DEPTH = 64
MAX_TREE_DEPTH = 200
MAX_NODES = 2_000
MAX_STRING = 1_000
MAX_INT_DIGITS = 18
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}


class _Tok:
    __slots__ = ("kind", "pos", "text")

    def __init__(self, kind: str, text: str, pos: int) -> None:
        self.kind = kind
        self.text = text
        self.pos = pos


def _unescape(body: str, pos: int, where: Where) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise where.error(f"unknown escape '\\{nxt}' in string", pos + 1 + i)
    return "".join(out)


def _tokenize(text: str, where: Where) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    depth = 0
    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        if m is None:
            raise where.error(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup or ""
        tok = m.group()
        if kind == "name" and tok in KEYWORDS:
            kind = tok
        elif kind == "op":
            if tok in "([":
                depth += 1
                if depth > MAX_DEPTH:
                    raise where.error(f"expression nested deeper than {MAX_DEPTH} levels", pos)
            elif tok in ")]":
                depth -= 1
        if kind != "ws":
            toks.append(_Tok(kind, tok, pos))
        pos = m.end()
    toks.append(_Tok("end", "", n))
    return toks


class _Parser:
    def __init__(self, text: str, where: Where) -> None:
        self.where = where
        self.toks = _tokenize(text, where)
        self.i = 0
        self.nodes = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------
    def peek(self) -> _Tok:
        return self.toks[self.i]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, text: str, what: str) -> _Tok:
        tok = self.peek()
        if tok.text != text or tok.kind in ("str", "name"):
            raise self.where.error(f"expected {what}, got {_describe(tok)}", tok.pos)
        return self.next()

    def count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.where.error(f"expression has more than {MAX_NODES} parts", self.peek().pos)

    def enter(self, pos: int) -> None:
        # Prefix operators nest without brackets ("not not not ..."): bound them too.
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.where.error(f"expression nested deeper than {MAX_DEPTH} levels", pos)

    # -- grammar ---------------------------------------------------------------
    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise self.where.error("expected an expression, got nothing", 0)
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            raise self.where.error(
                f"expected an operator or the end, got {_describe(tok)}", tok.pos
            )
        return node

    def or_expr(self) -> Node:
        left = self.and_expr()
        while self.peek().kind == "or":
            tok = self.next()
            self.count()
            left = Binary("or", left, self.and_expr(), tok.pos)
        return left

    def and_expr(self) -> Node:
        left = self.not_expr()
        while self.peek().kind == "and":
            tok = self.next()
            self.count()
            left = Binary("and", left, self.not_expr(), tok.pos)
        return left

    def not_expr(self) -> Node:
        tok = self.peek()
        if tok.kind == "not":
            self.next()
            self.count()
            self.enter(tok.pos)
            node = Unary("not", self.not_expr(), tok.pos)
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        tok = self.peek()
        op = None
        if tok.kind == "op" and tok.text in COMPARISONS:
            op = tok.text
            self.next()
        elif tok.kind == "in":
            op = "in"
            self.next()
        elif tok.kind == "not" and self.toks[self.i + 1].kind == "in":
            op = "not in"
            self.i += 2
        if op is None:
            return left
        self.count()
        right = self.additive()
        nxt = self.peek()
        if (nxt.kind == "op" and nxt.text in COMPARISONS) or nxt.kind == "in":
            raise self.where.error("comparisons cannot be chained; join them with 'and'", nxt.pos)
        return Binary(op, left, right, tok.pos)

    def additive(self) -> Node:
        left = self.term()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            tok = self.next()
            self.count()
            left = Binary(tok.text, left, self.term(), tok.pos)
        return left

    def term(self) -> Node:
        left = self.unary()
        while self.peek().kind == "op" and self.peek().text == "*":
            tok = self.next()
            self.count()
            left = Binary("*", left, self.unary(), tok.pos)
        return left

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text == "-":
            self.next()
            self.count()
            nxt = self.peek()
            if nxt.kind == "num":
                # A minus sign directly before a number is part of the literal.
                lit = self.number(self.next())
                assert isinstance(lit.value, int | float)
                return Literal(-lit.value, tok.pos)
            self.enter(tok.pos)
            node = Unary("-", self.unary(), tok.pos)
            self.depth -= 1
            return node
        return self.primary()

    def number(self, tok: _Tok) -> Literal:
        text = tok.text
        if any(c in text for c in ".eE"):
            value = float(text)
            if not math.isfinite(value):
                raise self.where.error(f"number {text} is too large", tok.pos)
            return Literal(value, tok.pos)
        if len(text.lstrip("0")) > MAX_INT_DIGITS:
            raise self.where.error(
                f"integer with more than {MAX_INT_DIGITS} digits is too large", tok.pos
            )
        return Literal(int(text), tok.pos)

    def primary(self) -> Node:
        tok = self.next()
        self.count()
        if tok.kind == "num":
            return self.number(tok)
        if tok.kind == "str":
            if len(tok.text) - 2 > MAX_STRING:
                raise self.where.error(f"string longer than {MAX_STRING} characters", tok.pos)
            return Literal(_unescape(tok.text[1:-1], tok.pos, self.where), tok.pos)
        if tok.kind in ("true", "false"):
            return Literal(tok.kind == "true", tok.pos)
        if tok.kind == "name":
            if self.peek().text == "(" and self.peek().kind == "op":
                return self.call(tok)
            return Name(tok.text, tok.pos)
        if tok.kind == "op" and tok.text == "(":
            node = self.or_expr()
            self.expect(")", "')'")
            return node
        if tok.kind == "op" and tok.text == "[":
            return self.list_literal(tok)
        raise self.where.error(f"expected a value, a name or '(', got {_describe(tok)}", tok.pos)

    def call(self, name: _Tok) -> Node:
        if name.text not in FUNCTIONS:
            from .suggest import did_you_mean

            hint = did_you_mean(name.text, FUNCTIONS)
            raise self.where.error(
                f"unknown function {name.text!r}; expected one of "
                f"{', '.join(sorted(FUNCTIONS))}{hint}",
                name.pos,
            )
        self.next()  # "("
        args: list[Node] = []
        if self.peek().text != ")" or self.peek().kind != "op":
            args.append(self.or_expr())
            while self.peek().kind == "op" and self.peek().text == ",":
                self.next()
                args.append(self.or_expr())
        self.expect(")", "',' or ')'")
        return Call(name.text, tuple(args), name.pos)

    def list_literal(self, open_tok: _Tok) -> Node:
        items: list[Literal] = []
        if not (self.peek().kind == "op" and self.peek().text == "]"):
            while True:
                item = self.unary()
                if not isinstance(item, Literal):
                    raise self.where.error("a list may only hold literal values", open_tok.pos)
                items.append(item)
                if self.peek().kind == "op" and self.peek().text == ",":
                    self.next()
                    continue
                break
        self.expect("]", "',' or ']'")
        return ListLit(tuple(items), open_tok.pos)


def _describe(tok: _Tok) -> str:
    if tok.kind == "end":
        return "the end of the expression"
    return repr(tok.text)


def parse(text: str, where: Where = EXPRESSION) -> Node:
    """Parse expression text into an AST; raise :class:`ExpressionError` on any problem."""
    if not isinstance(text, str):
        raise where.error(f"expected an expression (a string), got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        # Say what is really wrong with a hostile expression: usually its nesting.
        depth = 0
        for i, ch in enumerate(text[:MAX_LENGTH]):
            depth += (ch in "([") - (ch in ")]")
            if depth > MAX_DEPTH:
                raise where.error(f"expression nested deeper than {MAX_DEPTH} levels", i)
        raise where.error(f"expression longer than {MAX_LENGTH} characters")
    tree = _Parser(text, where).parse()
    _check_tree_depth(tree, where)
    return tree


def _check_tree_depth(tree: Node, where: Where) -> None:
    # Long operator chains ("a or b or c ...") nest without brackets; the checker and
    # code generator recurse over the tree, so its depth is bounded as well.
    stack: list[tuple[Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise where.error(
                f"expression nested deeper than {MAX_TREE_DEPTH} levels; "
                "use count(), any() or all() for long lists",
                node.pos,
            )
        if isinstance(node, Unary):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, Binary):
            stack.append((node.left, depth + 1))
            stack.append((node.right, depth + 1))
        elif isinstance(node, Call):
            stack.extend((a, depth + 1) for a in node.args)


# Precedence of unary operators, for the printer.
NOT_PREC = 3
NEG_PREC = 7
assert BINARY_OPS["and"] < NOT_PREC < BINARY_OPS["=="]
