"""Atomic file writes: a reader sees the old file or the complete new one, never half of it.

Content goes to a hidden temporary file in the target's folder (named after the writing
process), is fsynced, and is renamed over the target only when complete; the folder is
fsynced too where the platform can (POSIX; Windows cannot open a folder, and NTFS journals its
entries). A process killed mid-write can leave its temporary file behind: the next write into that
folder removes temporary files of processes that no longer run (where that cannot be asked, as on
Windows, those older than a day).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import time
from typing import Iterator, TextIO

PREFIX = ".magicmix-"
SUFFIX = ".tmp"
STALE_SECONDS = 24 * 3600  # where no process can be asked about: a temporary file this old is a leftover


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def process_gone(pid: int) -> bool | None:
    """Whether no process with this id runs; None where that cannot be asked (os.kill(pid, 0) is a
    question only on POSIX: on Windows signal 0 is CTRL_C_EVENT, which would interrupt the process)."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # the process exists under another user
    return False


def _remove_stale(directory: str) -> None:
    """Remove temporary files left by magicmix processes that were killed while writing."""
    for path in glob.glob(os.path.join(glob.escape(directory), f"{PREFIX}*{SUFFIX}")):
        pid = os.path.basename(path)[len(PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        gone = process_gone(int(pid))
        with contextlib.suppress(OSError):
            if gone or (gone is None and time.time() - os.path.getmtime(path) > STALE_SECONDS):
                os.unlink(path)


def fsync_directory(directory: str) -> None:
    """Make a rename or a new entry in a folder survive a crash (POSIX; elsewhere the file system sees to it)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stream_target(path: str) -> bool:
    """Whether path is there and is no regular file: a pipe, a terminal or a device such as /dev/null or
    /dev/stdout, which is written into, never replaced. A folder raises IsADirectoryError."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    return not stat.S_ISREG(st.st_mode)


@contextlib.contextmanager
def atomic_writer(path: str, mode: int | None = None) -> Iterator[TextIO]:
    """A text handle whose content replaces path only when the with-block ends without an error; mode, when
    given, is the file's (for personal data, say), else as a plain open() would create it. A pipe or device
    (stream_target) is written into as it is: there is no file to replace, and replacing /dev/null would be harm."""
    if stream_target(path):
        with open(path, "w", encoding="utf-8") as fh:
            yield fh
        return
    directory = os.path.dirname(os.path.abspath(path))
    _remove_stale(directory)
    import tempfile  # (with shutil and random) only for a command that writes a file

    fd, tmp = tempfile.mkstemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=SUFFIX, dir=directory)
    try:
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
        fsync_directory(directory)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_text_atomic(path: str, text: str) -> None:
    """Write text to path atomically (see atomic_writer)."""
    with atomic_writer(path) as fh:
        fh.write(text)


def copy_atomic(source: str, target: str, mode: int | None = None) -> None:
    """Copy a file's bytes to target atomically (with mode, as atomic_writer)."""
    with open(source, "rb") as src, atomic_writer(target, mode) as fh:
        while True:
            block = src.read(1 << 20)
            if not block:
                break
            fh.buffer.write(block)
