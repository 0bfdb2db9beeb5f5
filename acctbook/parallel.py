"""One map over many books, on this machine's cores or on a Dask cluster (docs/team.md):
`map_books(func, paths, jobs, scheduler=None, on_done=None)` calls `func(path)` for each
path and returns the results in the order given. `team` and `batch` run their per-book work
through it; `func` is a module-level function (or a functools.partial of one), which
pickles by name, so it runs in a fresh process on Windows and macOS (spawn) and on a Dask
worker alike, and it never raises for a bad book (it returns what went wrong).

- `jobs` 1 (or one path): in this process, one after the other, no pool.
- `jobs` N: a concurrent.futures.ProcessPoolExecutor of N spawned processes (the same start
  method on every system, and no fork of a process that runs a progress thread).
- `scheduler` "tcp://host:8786": dask.distributed's Client(scheduler).map on that cluster
  (the optional extra acctbook[dask]); each worker must see the books at the same paths
  and have the same acctbook.

`on_done(index, result)` is called in this process as each path is done (in the order they
finish), e.g. for a progress bar.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Callable, Sequence

from acctbook import __version__
from acctbook.book.i18n import said, tr
from acctbook.book.model import AcctbookError

OnDone = Callable[[int, Any], None]
CONNECT_TIMEOUT = "20s"          # how long to try reaching a Dask scheduler


class EngineError(AcctbookError):
    """The pool or the cluster failed (not a book): exit code 2."""


def default_jobs() -> int:
    """--jobs' default: the number of cores."""
    return os.cpu_count() or 1


def map_books(func: Callable[[str], Any], paths: Sequence[str], jobs: int | None = None,
              scheduler: str | None = None, on_done: OnDone | None = None) -> list[Any]:
    """[func(p) for p in paths], locally in `jobs` processes or on the Dask `scheduler`."""
    paths = list(paths)
    if scheduler:
        return _on_dask(func, paths, scheduler, on_done)
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise said(EngineError, tr("en", "--jobs must be 1 or more (got {jobs})"), jobs=jobs)
    if jobs == 1 or len(paths) <= 1:
        return _in_process(func, paths, on_done)
    return _in_pool(func, paths, min(jobs, len(paths), 61), on_done)   # 61: Windows' limit


def _in_process(func, paths: list[str], on_done: OnDone | None) -> list[Any]:
    out = []
    for i, p in enumerate(paths):
        out.append(func(p))
        if on_done is not None:
            on_done(i, out[-1])
    return out


def _in_pool(func, paths: list[str], workers: int, on_done: OnDone | None) -> list[Any]:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool
    out: list[Any] = [None] * len(paths)
    pool = ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"))
    try:
        index = {pool.submit(func, p): i for i, p in enumerate(paths)}
        for future in as_completed(index):
            i = index[future]
            out[i] = future.result()
            if on_done is not None:
                on_done(i, out[i])
    except BrokenProcessPool as e:
        raise said(EngineError, tr("en", "a worker process stopped unexpectedly ({error}); "
                                         "try fewer --jobs"), error=str(e) or "no reason") from e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out


# --- a Dask cluster ---------------------------------------------------------------------------
def worker_version() -> str:
    """acctbook's version on a Dask worker (they must all run this one)."""
    return __version__


def _dask_client(scheduler: str):
    try:
        from dask.distributed import Client
    except ImportError:
        raise said(EngineError, tr("en", "--scheduler needs Dask: pip install "
                                         "\"acctbook[dask]\"")) from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise said(EngineError, tr("en", "cannot reach the Dask scheduler at {address} "
                                         "({error})"), address=scheduler,
                   error=f"{type(e).__name__}: {e}") from None


def _check_workers(client, scheduler: str) -> None:
    try:
        versions = client.run(worker_version)
    except Exception as e:  # noqa: BLE001 - e.g. acctbook not installed on a worker
        raise said(EngineError, tr("en", "the Dask workers at {address} cannot run acctbook "
                                         "({error}); install acctbook {version} on every "
                                         "worker"), address=scheduler, version=__version__,
                   error=f"{type(e).__name__}: {e}") from None
    if not versions:
        raise said(EngineError, tr("en", "the Dask scheduler at {address} has no workers"),
                   address=scheduler)
    other = sorted({f"{w} ({v})" for w, v in versions.items() if v != __version__})
    if other:
        raise said(EngineError, tr("en", "every Dask worker needs acctbook {version}; these "
                                         "run another: {workers}"), version=__version__,
                   workers=", ".join(other))


def _on_dask(func, paths: list[str], scheduler: str, on_done: OnDone | None) -> list[Any]:
    """Client(scheduler).map(func, paths): each book read whole by one worker, at the path
    given (absolute, so a worker's own folder does not matter)."""
    client = _dask_client(scheduler)
    from dask.distributed import as_completed
    try:
        _check_workers(client, scheduler)
        futures = client.map(func, [os.path.abspath(p) for p in paths], pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(paths)
        for future in as_completed(futures, loop=client.loop):
            i = index[future.key]
            try:
                out[i] = future.result()
            except Exception as e:  # noqa: BLE001 - the cluster's failure, not a book's
                raise said(EngineError, tr("en", "the Dask cluster at {address} failed on "
                                                 "{book} ({error})"), address=scheduler,
                           book=paths[i], error=f"{type(e).__name__}: {e}") from None
            if on_done is not None:
                on_done(i, out[i])
        return out
    finally:
        client.close()
