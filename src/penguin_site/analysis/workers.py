"""Work beside the main process: the figures and the model file, on the second core.

The analysis takes a few seconds, so what matters is how its parts overlap. Drawing the
figures weighs most (every figure in four looks: light and dark, wide and phone), then
two imports: plotnine (with matplotlib), for the figures, and skops.io, which imports
every scikit-learn estimator module to list the types it trusts (about 1.4 s).
Validating the data and cross-validating need neither, so they are left to forked
workers while the main process does that work:

- two figures workers draw the exploratory figures at once (they need only the data),
  one figure per task, then the model's figures when cross-validation hands them their
  data;
- the model worker imports skops.io at once, then writes the model file's bytes when the
  fitted model arrives.

Fork, not spawn: the workers inherit pandas and scikit-learn already loaded. Where fork
is unavailable the work runs in this process as it is submitted: the same files, on one
core. A failure in a worker is raised where its result is read.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Workers", "workers"]


#: Processes drawing figures: with the model worker and this one, enough to keep both
#: cores busy while the figures are drawn.
FIGURE_WORKERS = 2


@dataclass(frozen=True)
class Workers:
    """One executor per kind of work."""

    figures: Executor
    model: Executor


class _HereAndNow(Executor):
    """Runs each task in this process as it is submitted: the fallback without fork."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the reader, as a worker's would be
            future.set_exception(error)
        return future


@contextmanager
def workers(warm_model: Callable[[], None]) -> Iterator[Workers]:
    """Start both workers; the model worker runs ``warm_model`` (its slow import) at once."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield Workers(figures=_HereAndNow(), model=_HereAndNow())
        return
    fork = multiprocessing.get_context("fork")
    with (
        ProcessPoolExecutor(max_workers=FIGURE_WORKERS, mp_context=fork) as figures,
        ProcessPoolExecutor(max_workers=1, mp_context=fork) as model,
    ):
        model.submit(warm_model)
        yield Workers(figures=figures, model=model)
