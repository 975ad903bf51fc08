"""penguin_site: the Palmer Penguins analysis behind the website.

Every number and figure on the site is computed here, so the pages, the scripts
and the tests all exercise the same code. Modules, in pipeline order:

- ``config``: paths, seed, feature sets, thresholds (every constant once)
- ``schema``: the data contract (columns, types, ranges, categories)
- ``dataset``: load + validate the snapshot, clean it for modelling
- ``eda``: summary tables
- ``plots``: one ``plot_<what>()`` per figure, one theme
- ``modeling``: candidate pipelines, cross-validation, final fit
- ``artifacts``: write and read the build outputs
- ``pipeline``: the single entry point that runs everything once per build
"""

__version__ = "0.1.0"
