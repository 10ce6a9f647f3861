"""The condition grammar: precedence, literals, and the errors it reports with positions."""

from __future__ import annotations

import pytest

from aml_screen.rules import grammar as g


def shape(node: g.Node) -> object:
    """A compact nested form of the AST, to compare against expected trees."""
    if isinstance(node, g.Binary):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, g.Unary):
        return (node.op, shape(node.operand))
    if isinstance(node, g.Call):
        return (node.name + "()", *(shape(a) for a in node.args))
    if isinstance(node, g.ListOf):
        return [shape(i) for i in node.items]
    if isinstance(node, g.Name):
        return node.dotted
    if isinstance(node, g.Number):
        return node.text
    if isinstance(node, g.String):
        return repr(node.value)
    return node.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a or b and c", ("or", "a", ("and", "b", "c"))),
        ("not a and b", ("and", ("not", "a"), "b")),
        ("not a == 1", ("not", ("==", "a", "1"))),
        ("1 + 2 * 3 >= 7", (">=", ("+", "1", ("*", "2", "3")), "7")),
        ("(1 + 2) * 3", ("*", ("+", "1", "2"), "3")),
        ("a - b - c", ("-", ("-", "a", "b"), "c")),
        ("-amount < 0", ("<", ("-", "amount"), "0")),
        ("5_000_000 * param.floor", ("*", "5000000", "param.floor")),
        ("x in ['ML', \"NE\"]", ("in", "x", ["'ML'", "'NE'"])),
        ("x not in set.sahel", ("not in", "x", "set.sahel")),
        ("contains_any(purpose, words.drug_terms)",
         ("contains_any()", "purpose", "words.drug_terms")),
        ("count()", ("count()",)),
        ("x == null and y != true", ("and", ("==", "x", None), ("!=", "y", True))),
        ("'l\\'or' == t", ("==", "\"l'or\"", "t")),
    ],
)
def test_parse_builds_the_expected_tree(text: str, expected: object) -> None:
    assert shape(g.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "key", "pos"),
    [
        ("", "rules.expr.empty", None),
        ("amount >", "rules.expr.unexpected", 9),
        ("amount > 5 5", "rules.expr.unexpected", 12),
        ("a < b < c", "rules.expr.chained_comparison", 7),
        ("(a or b", "rules.expr.expected", 8),
        ("amount $ 5", "rules.expr.bad_character", 8),
        ("param.", "rules.expr.expected", 7),
        ("f(a b)", "rules.expr.expected", 5),
    ],
)
def test_parse_errors_name_the_problem_and_position(text: str, key: str,
                                                    pos: int | None) -> None:
    with pytest.raises(g.ExpressionError) as caught:
        g.parse(text)
    assert caught.value.key == key
    assert caught.value.params.get("pos") == pos


def test_names_in_lists_every_reference() -> None:
    node = g.parse("contains_any(purpose, words.x) and amount >= param.t * 2 or c in set.s")
    assert [n.dotted for n in g.names_in(node)] == [
        "purpose", "words.x", "amount", "param.t", "c", "set.s"]


def test_names_in_reads_inside_lists_and_calls() -> None:
    node = g.parse("lower(channel) in ['cash', purpose] and n_unique(beneficiary_account) > 3")
    assert [n.dotted for n in g.names_in(node)] == ["channel", "purpose",
                                                      "beneficiary_account"]


@pytest.mark.parametrize(("text", "parts"), [
    ("a > 1", ["a > 1"]),
    ("a > 1 and b < 2 and c == 3", ["a > 1", "b < 2", "c == 3"]),
    ("a > 1 and (b < 2 or c == 3)", ["a > 1", "b < 2 or c == 3"]),
    ("(a > 1 and b < 2) and (c == 3 and d != 4)", ["a > 1", "b < 2", "c == 3", "d != 4"]),
])
def test_conjuncts_flatten_every_and(text: str, parts: list[str]) -> None:
    assert [shape(c) for c in g.conjuncts(g.parse(text))] == [shape(g.parse(p)) for p in parts]


def test_conjunction_rebuilds_what_conjuncts_split() -> None:
    node = g.parse("a > 1 and b < 2 and c == 3")
    rebuilt = g.conjunction(g.conjuncts(node), node.pos)
    assert rebuilt is not None
    assert shape(rebuilt) == shape(node)
    assert g.conjunction([], 0) is None

