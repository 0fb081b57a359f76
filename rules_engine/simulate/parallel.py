"""Runs spread over one executor interface (concurrent.futures): in this process, over local processes,
or over a Dask cluster (`local:N` starts one here, `tcp://HOST:PORT` joins a running scheduler).

A task is one run of a slice of the areas; its result depends only on (seed, run, area), so the merged
result is the same whatever the executor, the number of workers or the slicing.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Iterator

from ..diagnostics import Diagnostic, PolicyError
from .model import Model
from .run import run_area
from .stock import Stock, StockKey, keep, stock_for
from ..lang.records import frozen

AREAS_PER_TASK = 64  # a national run is cut into slices of this many areas, so that it spreads over workers


@frozen
class Task:
    """One run of a slice of the areas: everything a worker needs, as plain picklable data."""

    key: StockKey
    model: Model
    seed: int
    run: int
    years: int
    areas: tuple[str, ...]


def run_task(task: Task) -> dict:
    """Simulate one task's areas (in a worker); the stock is built once per process."""
    stock = stock_for(task.key)
    return {a: run_area(stock, task.model, stock.areas[a], task.seed, task.run, task.years) for a in task.areas}


def tasks(key: StockKey, stock: Stock, model: Model, seed: int, runs: int, years: int) -> list[Task]:
    """The tasks of a simulation: every run, its areas cut into slices when there are few runs."""
    order = stock.order()
    size = len(order) if runs >= 8 else AREAS_PER_TASK
    return [Task(key, model, seed, r, years, order[i:i + size]) for r in range(runs)
            for i in range(0, max(len(order), 1), max(size, 1))]


class _Inline(Executor):
    """The executor of one worker: every task in this process, in order."""

    def map(self, fn, *iterables, timeout=None, chunksize=1):  # noqa: D102 - Executor's
        return map(fn, *iterables)


def _bad_scheduler(scheduler: str, problem: tuple[str, str]) -> PolicyError:
    return PolicyError([Diagnostic("simulate-scheduler", "error", f"--scheduler {scheduler}", None, None,
                                   f"de Dask-scheduler is niet bruikbaar: {problem[0]}",
                                   f"the Dask scheduler cannot be used: {problem[1]}")])


@contextlib.contextmanager
def executor(jobs: int = 1, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor: processes (jobs > 1), this process (jobs 1), or Dask (scheduler local:N or tcp://HOST:PORT)."""
    if scheduler is None:
        if jobs <= 1:
            yield _Inline()
            return
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield pool
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise _bad_scheduler(scheduler, ("Dask is niet geïnstalleerd (pip install 'magicmix[dask]')",
                                         "Dask is not installed (pip install 'magicmix[dask]')")) from None
    with contextlib.ExitStack() as stack:
        if scheduler.startswith("local:"):
            n = scheduler[len("local:"):]
            if not n.isdigit() or not 1 <= int(n) <= (os.cpu_count() or 1) * 4:
                raise _bad_scheduler(scheduler, (f"'local:N' met N een aantal workers, niet '{n}'",
                                                 f"'local:N' takes a number of workers, not '{n}'"))
            cluster = stack.enter_context(LocalCluster(n_workers=int(n), threads_per_worker=1, processes=True,
                                                       dashboard_address=None, silence_logs=40))
            address = cluster.scheduler_address
        elif scheduler.startswith("tcp://"):
            address = scheduler
        else:
            raise _bad_scheduler(scheduler, ("gebruik local:N of tcp://HOST:POORT", "use local:N or tcp://HOST:PORT"))
        try:
            client = stack.enter_context(Client(address, timeout=20))
        except (OSError, TimeoutError) as exc:
            raise _bad_scheduler(scheduler, (str(exc), str(exc))) from None
        yield client.get_executor()


def simulate_runs(key: StockKey, stock: Stock, model: Model, seed: int, runs: int, years: int,
                  jobs: int = 1, scheduler: str | None = None) -> list[dict]:
    """Every run's result (area -> run_area's data), in run order, computed through one executor."""
    keep(key, stock)  # forked workers and this process's tasks reuse it
    work = tasks(key, stock, model, seed, runs, years)
    per_run: list[dict] = [{} for _ in range(runs)]
    with executor(jobs, scheduler) as ex:
        for task, result in zip(work, ex.map(run_task, work)):
            per_run[task.run].update(result)
    return per_run
