"""An exclusive lock between processes, on every platform: for appends to the decision log.

filelock (the lock pip, tox and virtualenv use) locks a sidecar file '<path>.lock' with flock on POSIX and
msvcrt on Windows, and falls back to an exclusively created file where neither exists. A lock held past
the timeout is refused with a message rather than waited on for ever.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Iterator

with warnings.catch_warnings():  # 'only soft file lock is available' where fcntl is missing: the fallback is meant
    warnings.simplefilter("ignore")
    import filelock

from .diagnostics import PolicyError, make

TIMEOUT_SECONDS = 30


def lock_path(path: str) -> str:
    """The sidecar file that is locked for path."""
    return path + ".lock"


@contextlib.contextmanager
def exclusive(path: str, timeout: float = TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold the lock for path while the with-block runs; PolicyError (file-locked) when another process keeps it
    for longer than timeout seconds."""
    lock = filelock.FileLock(lock_path(path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise PolicyError([make("file-locked", path, lock=lock_path(path), seconds=timeout)]) from None
    try:
        yield
    finally:
        lock.release()
