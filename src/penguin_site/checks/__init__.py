"""Checks on a rendered site: static HTML checks (``static``) and what a reader's browser
sees (``browser``, headless Chromium). Loads no pandas, NumPy or scikit-learn.
"""
