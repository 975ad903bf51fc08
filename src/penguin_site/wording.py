"""Small rules for turning computed facts into English, shared by captions and page prose."""

from __future__ import annotations

from collections.abc import Sequence


def join_words(words: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c': how a sentence lists species, islands or traits."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
