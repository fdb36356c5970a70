"""ir/symbolic.py: what a symbolic dim answers inside shape inference, from its floors."""
import pytest

from graphc.ir.symbolic import Sym, SymbolicDimError, inferring


def test_questions_every_size_answers_are_answered_inside_inference():
    b = Sym.symbol("b0", 64)            # any size >= 1 (a fed 0 makes no symbol)
    c = Sym.symbol("b1", 64, floor=2)   # every size but 1
    with inferring():
        assert not b == 0 and not 3 * b == 2 and b > 0 and not b < 1
        assert not c == 1 and c > 1 and not c < 2 and not (c * 4 + 1) == 8
        assert (b * c).smallest() == 2 and (b - 1).smallest() is None
        for question, floor in ((lambda: b == 1, 2), (lambda: b > 1, 2),
                                (lambda: b < 2, 2), (lambda: c == 2, 0),
                                (lambda: b == 5, 0), (lambda: b - 1 == 0, 0)):
            with pytest.raises(SymbolicDimError) as err:
                question()
            assert err.value.floor == floor
    assert b != 1 and not c == 2  # (outside inference: a symbolic dim is any size)


def test_floors_survive_arithmetic():
    c = Sym.symbol("b1", 64, floor=2)
    assert ((c * 3 + 4) // 1).floors == {"b1": 2}
    assert ((c * 6) // 3).smallest() == 4
    assert (c * Sym.symbol("b0", 64)).floors == {"b1": 2}
