"""Small rules for turning computed facts into English, shared by captions and page prose.

One home for how a number is written, so a caption and the prose beside it never
disagree (a thousands separator in one and none in the other). The precision per unit
comes from the study file (``units``).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from penguin_site.study import current

__all__ = ["DECIMALS", "a_or_an", "amount", "join_words", "possessive"]


#: Decimals the words give per unit: the precision the data record, so a sentence never
#: claims more precision than the data hold.
DECIMALS: MappingProxyType[str, int] = MappingProxyType(
    {symbol: unit.decimals for symbol, unit in current().units.items()}
)


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c': how a sentence lists groups, places or traits."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def a_or_an(word: str) -> str:
    """The indefinite article a word takes by its first letter ("an Apple", "a Pear")."""
    return "an" if word[:1].upper() in "AEIOU" else "a"


def possessive(noun: str) -> str:
    """``noun``'s, or noun' for a noun ending in s ("every group's", "every class'")."""
    return f"{noun}'" if noun.endswith("s") else f"{noun}'s"


def amount(value: float, unit: str, *, signed: bool = False) -> str:
    """A number with its unit at the unit's precision, thousands separated: ``1,095 kg``.

    Never ``-0`` or ``+0``: a value that rounds to zero is written ``0``.
    """
    decimals = DECIMALS[unit]
    rounded = round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    sign = "+" if signed and rounded != 0 else ""
    return f"{rounded:{sign},.{decimals}f} {unit}"
