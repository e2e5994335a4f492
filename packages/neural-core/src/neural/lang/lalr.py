"""The shift/reduce loop over the LALR(1) table lark computes for ``grammar.lark``.

lark does the hard parts once per process: it reads the grammar, computes the
LALR(1) parse table, and wraps each :class:`~neural.lang.parser.IrBuilder`
method in its child filter (dropping ``_`` terminals, inlining ``_`` rules and
single-child ``?`` rules). This module runs the loop that feeds tokens through
that table, exactly as lark's own ``_Parser`` does, with plain-string keys and
local variables: lark's loop compares its table keys (lark ``Token`` objects) in
Python and makes a method call per token, which costs twice as much, and a
10,000-layer file must parse well under half a second (``bench/bench_parse.py``).
The tests check that both loops give the same IR and the same errors.

It also applies the contextual-lexer rule for keywords: a name that spells a
keyword (``loss``, ``HPO``, ``true``) is that keyword only where the current
parser state accepts it, and an ordinary ``NAME`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from neural.lang.lexer import SourceToken
from neural.lang.syntax_errors import UnexpectedCharacterError, UnexpectedTokenError

END = "$END"

#: A parser state's actions: terminal or rule name → (True, next state) for a shift
#: or a goto, (False, (number of children, rule name, callback)) for a reduction.
#: The callback is None for a one-symbol ``?rule`` (``?value: NUMBER``): the child
#: stands for the rule, so the loop only changes state.
Actions = dict[str, tuple[bool, Any]]


class LalrTable:
    """lark's parse table and callbacks for one grammar, rearranged for :meth:`parse`.

    Built once from a ``Lark(..., parser="lalr", transformer=...)`` instance; it
    reads lark's ``_parse_table`` and ``_callbacks`` (lark 1.x; the tests compare every
    result with lark's own parser, so a change there cannot go unnoticed).
    """

    def __init__(self, lark: Any, keywords: dict[str, str], start: str = "start") -> None:
        from lark.parsers.lalr_analysis import Shift

        table = lark.parser.parser._parse_table
        callbacks: dict[Any, Callable[[Any], Any]] = lark._callbacks
        self.start_state: int = table.start_states[start]
        self.end_state: int = table.end_states[start]
        self.keywords = keywords
        self.terminal_callbacks = {
            str(name): callback for name, callback in callbacks.items() if isinstance(name, str)
        }
        self.states: dict[int, Actions] = {}
        for state, actions in table.states.items():
            self.states[state] = {
                str(symbol): (True, target)
                if action is Shift
                else (False, self._reduction(target, callbacks))
                for symbol, (action, target) in actions.items()
            }

    @staticmethod
    def _reduction(
        rule: Any, callbacks: dict[Any, Callable[[Any], Any]]
    ) -> tuple[int, str, Callable[[Any], Any] | None]:
        only = rule.expansion[0] if len(rule.expansion) == 1 else None
        passes_child_through = (
            rule.options.expand1
            and only is not None
            and not getattr(only, "filter_out", False)
            and not only.name.startswith("_")
        )
        return len(rule.expansion), str(rule.origin.name), None if passes_child_through else callbacks[rule]

    def expected(self, state_stack: list[int]) -> frozenset[str]:
        """The terminals the parser would shift next from ``state_stack`` (for error messages).

        The top state's lookaheads are not enough: LALR merges the lookaheads
        of every context a state is reached from, so after ``Dense(64`` they
        would include ``}`` and section names. Each candidate is tried on a
        copy of the stack, through its reductions, until it is shifted.
        """
        states, end_state = self.states, self.end_state
        accepted = set()
        for terminal in states[state_stack[-1]]:
            if not terminal.isupper():
                continue
            stack = list(state_stack)
            while True:
                action = states[stack[-1]].get(terminal)
                if action is None:
                    break
                if action[0]:
                    accepted.add(terminal)
                    break
                size, rule, _ = action[1]
                del stack[len(stack) - size :]
                stack.append(states[stack[-1]][rule][1])
                if terminal == END and stack[-1] == end_state:
                    accepted.add(terminal)
                    break
        return frozenset(accepted)

    def parse(self, tokens: Iterable[SourceToken]) -> Any:
        """Run the tokens through the table; return what the start rule's callback built.

        Raises :class:`UnexpectedTokenError` for a token no rule allows (the
        end of the input is a ``$END`` token just after the last one), and
        turns the lexer's :class:`UnexpectedCharacterError` into one that
        carries the terminals the parser expected there.
        """
        states, keywords, terminal_callbacks = self.states, self.keywords, self.terminal_callbacks
        state_stack = [self.start_state]
        value_stack: list[Any] = []
        token: SourceToken | None = None
        try:
            for token in tokens:
                kind = token.type
                if kind == "NAME" and token.value in keywords:
                    keyword = keywords[token.value]
                    if keyword in states[state_stack[-1]]:
                        kind = keyword
                        token = token._replace(type=keyword)
                while True:
                    action = states[state_stack[-1]].get(kind)
                    if action is None:
                        raise UnexpectedTokenError(token, self.expected(state_stack))
                    if action[0]:
                        state_stack.append(action[1])
                        callback = terminal_callbacks.get(kind)
                        value_stack.append(token if callback is None else callback(token))
                        break
                    size, rule, callback = action[1]
                    if callback is None:
                        del state_stack[-1]
                        state_stack.append(states[state_stack[-1]][rule][1])
                        continue
                    if size:
                        children = value_stack[-size:]
                        del value_stack[-size:]
                        del state_stack[-size:]
                    else:
                        children = []
                    value_stack.append(callback(children))
                    state_stack.append(states[state_stack[-1]][rule][1])
        except UnexpectedCharacterError as error:
            raise UnexpectedCharacterError(error.offset, self.expected(state_stack)) from None
        return self._finish(state_stack, value_stack, token)

    def _finish(self, state_stack: list[int], value_stack: list[Any], last: SourceToken | None) -> Any:
        """Reduce at the end of the input until the start rule is complete."""
        states, end_state = self.states, self.end_state
        if last is None:
            end = SourceToken(END, "", 0, 0, 1, 1, 1, 1)
        else:
            end = SourceToken(
                END, "", last.start_pos, last.end_pos, last.line, last.column, last.end_line, last.end_column
            )
        while True:
            action = states[state_stack[-1]].get(END)
            if action is None or action[0]:
                raise UnexpectedTokenError(end, self.expected(state_stack))
            size, rule, callback = action[1]
            if callback is None:
                del state_stack[-1]
            else:
                children = value_stack[-size:] if size else []
                if size:
                    del value_stack[-size:]
                    del state_stack[-size:]
                value_stack.append(callback(children))
            state_stack.append(states[state_stack[-1]][rule][1])
            if state_stack[-1] == end_state:
                return value_stack[-1]


__all__ = ["END", "LalrTable"]
