"""penguin_site: the analysis behind a study's website (study.yml names the study), in four rooms.

Every number and figure on the site is computed here, so the pages, the scripts and the
tests all exercise the same code.

- ``config``: every constant once (paths, seed, pages, recorded tools); ``study`` reads
  study.yml and its data package; ``files`` (sha256, JSON) and ``clock``
  (``SOURCE_DATE_EPOCH``) are shared helpers.
- ``analysis``: data -> model -> figures; imports nothing from the other rooms.
- ``site``: what the pages import, provenance, the pre-render hook, the predictor.
- ``publish``: S3 sync, content types, smoke test.
- ``checks``: static site checks and browser checks.

``tests/test_architecture.py`` holds these rules.
"""

__version__ = "0.1.0"
