"""Opening input files safely: only regular files, only inside the policy folder when one is given.

A FIFO blocks a reader forever and a device such as /dev/zero never ends, so a file is opened
without blocking and its kind is checked on the opened descriptor (no race between check and
read). A symbolic link or a '..' that leads out of a policy folder is refused before anything is
read, so no line of a file outside the policy can reach a diagnostic.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache

from ..diagnostics import PolicyError, make

_KINDS = ((stat.S_ISDIR, ("een map", "a folder")), (stat.S_ISFIFO, ("een pijp (FIFO)", "a pipe (FIFO)")),
          (stat.S_ISCHR, ("een apparaat", "a device")), (stat.S_ISBLK, ("een apparaat", "a device")),
          (stat.S_ISSOCK, ("een socket", "a socket")))


@lru_cache(maxsize=64)
def _real_folder(root: str) -> str:
    # A policy folder is asked about once per file it holds (30,000 at national scale): resolve it once.
    return os.path.realpath(root)


def inside(path: str, root: str) -> bool:
    """Whether path, with every symbolic link and '..' resolved, lies inside the folder root."""
    real_root = _real_folder(os.path.abspath(root))  # a relative folder from another cwd is another entry
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def inside_all(paths: list[str], root: str) -> set[str]:
    """Those of paths (files listed from folders of the policy) that lie inside root, as inside() decides, with one
    realpath per folder and one lstat per file: a file that is no symbolic link lies where its folder does."""
    real_root = _real_folder(os.path.abspath(root))
    prefix = real_root.rstrip(os.sep) + os.sep
    folders: dict[str, str] = {}  # for this call only: a folder replaced by a link later is seen then
    out = set()
    for path in paths:
        folder, name = os.path.split(os.path.abspath(path))
        try:
            link = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError:
            link = True  # let realpath decide, as inside() does
        if link or name in ("", ".", ".."):
            real = os.path.realpath(path)
        else:
            real_folder = folders.get(folder)
            if real_folder is None:
                real_folder = folders[folder] = os.path.realpath(folder)
            real = os.path.join(real_folder, name)
        if real == real_root or real.startswith(prefix):
            out.add(path)
    return out


def require_inside(path: str, root: str | None) -> None:
    """Refuse (outside-policy) a path that leads out of the policy folder root; None allows any path."""
    if root is not None and not inside(path, root):
        raise PolicyError([make("outside-policy", path)])


def _kind(mode: int) -> tuple[str, str]:
    for test, words in _KINDS:
        if test(mode):
            return words
    return ("geen gewoon bestand", "not a regular file")


def open_regular(path: str, root: str | None = None):
    """A binary file object for a regular file (inside root, when given); PolicyError for anything else."""
    require_inside(path, root)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise PolicyError([make("file-not-found", path)]) from None
    except OSError as exc:
        raise PolicyError([make("file-unreadable", path, reason=exc.strerror or str(exc))]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise PolicyError([make("file-unreadable", path, reason=("dit is een map", "this is a folder"))])
        raise PolicyError([make("not-regular-file", path, kind=_kind(mode))])
    return os.fdopen(fd, "rb")


def check_regular(path: str, root: str | None = None) -> None:
    """Refuse, as open_regular does, a path that is not a regular file (inside root, when given)."""
    open_regular(path, root).close()


def read_bytes(path: str, max_bytes: int, root: str | None = None) -> bytes:
    """The bytes of a regular file (inside root, when given), refusing (file-too-large) more than max_bytes."""
    with open_regular(path, root) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise PolicyError([make("file-too-large", path, size=size, limit=max_bytes)])
        try:
            raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise PolicyError([make("file-unreadable", path, reason=exc.strerror or str(exc))]) from None
    if len(raw) > max_bytes:  # grew while being read
        raise PolicyError([make("file-too-large", path, size=len(raw), limit=max_bytes)])
    return raw
