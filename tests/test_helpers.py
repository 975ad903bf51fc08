"""The helpers' own arithmetic, which other tests' thresholds rest on."""

from __future__ import annotations

import pytest
from helpers import contrast


def test_contrast_is_wcags() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("rgb(34, 34, 34)", "#ffffff") == pytest.approx(15.91, abs=0.01)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
