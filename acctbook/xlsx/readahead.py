"""Reading ahead within a memory budget: worker threads run the jobs (calamine parsing a
sheet, which it does without holding the GIL) while the caller works on the results already
handed over (typing a table), so they overlap on two cores.

Each job has a size (a table's cells): the worker starts a job only while the sizes of the
jobs it has done and the caller has not yet finished with stay within `budget`, so two big
tables are never held at once (calamine holds a parsed sheet as about 55 bytes a cell). It
takes the first job in order that fits, so small tables are read while a big one is being
typed; one job alone may exceed the budget. A result whose parse is already freed (`light`:
a table handed over as columns, its Arrow arrays only) stops counting once done, so the
next big sheet is parsed while it is typed. Results come back in the order they are done.
With more than one worker, a job starts beside others still running only while the sizes
of all running stay within `together`: two sheets parsed at once each hold their parse, so
on a big book the big sheets still go one at a time. While the caller waits for a result,
it may do other work a piece at a time (`results(idle)`: the rules, book/rules.py, and
compute's pieces, core/early.py).
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Callable, Iterator, Sequence

Job = tuple[Any, int, Callable[[], Any]]          # (key, size, what to run)


class ReadAhead:
    """Runs `jobs` in `workers` threads within `budget` (and `together`); `results()` hands
    them over."""

    def __init__(self, jobs: Sequence[Job], budget: int, workers: int = 1, together: int = 0,
                 light: Callable[[Any], bool] | None = None):
        self.light = light
        self.pending = list(jobs)
        self.count = len(self.pending)
        self.budget, self.held = budget, 0
        self.together, self.running = together, 0
        self.done: collections.deque = collections.deque()
        self.cond = threading.Condition()
        self.stop = False
        self.threads = [threading.Thread(target=self._work, daemon=True)
                        for _ in range(workers)]
        for thread in self.threads:
            thread.start()

    def _fits(self, size: int) -> bool:
        return (self.held == 0 or self.held + size <= self.budget) and \
            (self.running == 0 or self.running + size <= self.together)

    def _next(self) -> Job | None:
        """The first pending job that fits (any when nothing is held); waits until one does."""
        with self.cond:
            while not self.stop:
                job = next((j for j in self.pending if self._fits(j[1])), None)
                if job is not None:
                    self.pending.remove(job)
                    self.held += job[1]
                    self.running += job[1]
                    return job
                if not self.pending:
                    return None
                self.cond.wait()
            return None

    def _work(self) -> None:
        while (job := self._next()) is not None:
            key, size, run = job
            try:
                out = (key, size, run(), None)
            except BaseException as e:       # handed to the caller, who raises it
                out = (key, size, None, e)
            with self.cond:
                self.running -= size
                if out[3] is None and self.light is not None and self.light(out[2]):
                    self.held -= size        # its parse is over and freed: not held meanwhile
                    out = (key, 0, out[2], None)
                self.done.append(out)
                self.cond.notify_all()
            if out[3] is not None:
                return

    def results(self, idle: Callable[[], bool] | None = None) -> Iterator[tuple[Any, Any]]:
        """(key, result) of each job as it is done; the caller is done with one when it asks
        for the next. A job's exception is raised here. `idle`: called (in the caller's
        thread) while no result is ready, for a piece of other work; False when it has none."""
        try:
            for _ in range(self.count):
                key, size, result, error = self._next_done(idle)
                if error is not None:
                    raise error
                yield key, result
                del result
                with self.cond:
                    self.held -= size
                    self.cond.notify_all()
        finally:
            self.close()

    def _next_done(self, idle: Callable[[], bool] | None):
        """The next job done; while none is, `idle`'s pieces of work, as long as it has any
        (then wait: a result may give it more)."""
        while True:
            with self.cond:
                if self.done:
                    return self.done.popleft()
                if idle is None:
                    self.cond.wait()
                    continue
            if not idle():
                idle = None

    def close(self) -> None:
        with self.cond:
            self.stop = True
            self.cond.notify_all()
        for thread in self.threads:
            thread.join()
