"""The analysis: data -> contract -> tables -> model -> figures -> one build folder.

Imports nothing from the other rooms (``site``, ``publish``, ``checks``): it can run, and
be tested, without the website. ``pipeline.run_analysis`` is its one entry point;
``results.load_results`` reads what it wrote without loading the modelling libraries.

Modules, in pipeline order: ``contract`` (the data contract's constants), ``schema``
(pandera enforcing it), ``dataset`` (load, validate, clean), ``snapshot`` (write the
committed data and its description), ``eda`` (summary tables), ``modeling`` (candidates,
cross-validation, final fit), ``plots`` and ``captions`` (figures and their words),
``wording`` (how numbers are written), ``artifacts`` (reproducible files, the model file),
``results`` (reading a build), ``digest`` (is a build current?), ``pipeline``.
"""
