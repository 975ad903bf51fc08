"""The website: what the Quarto pages import, and what runs around a render.

``pages`` is the one facade the ``.qmd`` files import (tables, figures, facts, downloads,
the predictor form); ``facts`` and ``markdown`` are its parts. ``provenance`` writes the
footer's commit, date and versions; ``prerender`` is the pre-render hook's logic;
``quarto`` finds the pinned Quarto; ``predictor.js`` is the in-browser predictor.
Reading results loads no scikit-learn or skops: a page's kernel starts quickly.
"""
