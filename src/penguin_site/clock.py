"""The build's time: ``SOURCE_DATE_EPOCH`` when set, read and checked in one place.

Why: the footer's build date (``site.provenance``) and the dates inside the model file
(``analysis.artifacts``) must come from the same value and reject a malformed one with
the same message. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["EpochError", "source_date_epoch"]


class EpochError(ValueError):
    """``SOURCE_DATE_EPOCH`` is set but is not a whole number of seconds."""


def source_date_epoch(env: Mapping[str, str]) -> int | None:
    """Seconds since 1970-01-01 UTC from ``SOURCE_DATE_EPOCH``, or None when it is unset."""
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise EpochError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got {raw!r}"
        )
    return int(raw)
