"""The math engine: read student math safely, decide equivalence with evidence.

Public API (other modules and helpers code against these names):
  MathContext                         what a part declares (symbols, indices, shapes, domains, definitions)
  parse_expression(text, ctx, syntax) one expression → SymPy (MathSyntaxError on bad input)
  parse_chain(text, ctx, syntax)      an `=` chain / aligned block → Chain of Members (with conditions)
  check_equivalence(a, b, ctx, ...)   → Verdict (equivalent, proven, counterexample, message ...)
"""
from grader.math.context import MathContext
from grader.math.parser import (Chain, Condition, Member, MathShapeError, canonical_name, parse_chain,
                                parse_condition, parse_expression)

__all__ = ["MathContext", "parse_expression", "parse_chain", "parse_condition", "Chain", "Member", "Condition",
           "MathShapeError", "canonical_name"]
from grader.math.equivalence import Verdict, check_equivalence  # noqa: E402

__all__ += ["Verdict", "check_equivalence"]
