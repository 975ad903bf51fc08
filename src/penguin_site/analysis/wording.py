"""Small rules for turning computed facts into English, shared by captions and page prose.

One home for how a number is written, so a caption and the prose beside it never
disagree ("1,095 g" in one and "1095 g" in the other).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["amount", "join_words"]


#: Decimals the words give per unit: the precision the snapshot records (whole grams,
#: tenths of a millimetre), so a sentence never claims more precision than the data hold.
DECIMALS: dict[str, int] = {"g": 0, "mm": 1}


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c': how a sentence lists species, islands or traits."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def amount(value: float, unit: str, *, signed: bool = False) -> str:
    """A number with its unit at the unit's precision, thousands separated: ``1,095 g``.

    Never ``-0`` or ``+0``: a value that rounds to zero is written ``0``.
    """
    decimals = DECIMALS[unit]
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    sign = "+" if signed and rounded != 0 else ""
    return f"{rounded:{sign},.{decimals}f} {unit}"
