"""The expression language: text -> tokens -> AST -> type check -> generated code.

Rule text is never handed to ``eval``: the parser builds an AST of frozen attrs
classes, the checker resolves every name against the rule set's declarations, and
the code generator emits Python from the checked AST with every rule-file value bound
as a constant.
"""
