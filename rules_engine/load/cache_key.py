"""The key that authenticates policy-cache entries: 32 random bytes, the user's own, kept outside the cache.

The threat is someone who can place a file in the cache folder (a restored CI cache, a synced home
folder). The key therefore lives in the user's configuration folder, $XDG_CONFIG_HOME/magicmix/cache.key
(else ~/.config/magicmix/cache.key), mode 0600 in a folder of mode 0700, made on first use. A key that
lies inside the cache folder, or that others could read or replace, is not used: the cache is then off.
"""

from __future__ import annotations

import os
import secrets
import stat

from .files import inside

KEY_BYTES = 32
KEY_NAME = "cache.key"


def key_path() -> str:
    """Where the cache key is kept."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "magicmix", KEY_NAME)


def _own(st: os.stat_result, closed: int) -> bool:
    return not hasattr(os, "getuid") or (st.st_uid == os.getuid() and not st.st_mode & closed)


def entry_key(cache_folder: str) -> bytes | None:
    """The key for entries in cache_folder (made when there is none yet), or None when no safe key can be had."""
    path = key_path()
    folder = os.path.dirname(path)
    if inside(path, cache_folder):  # whoever writes the cache could write the key
        return None
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not _own(os.stat(folder), 0o022):
            return None
        if not os.path.lexists(path):
            _create(path)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _own(st, 0o077):
                return None
            key = fh.read(KEY_BYTES + 1)
    except OSError:
        return None
    return key if len(key) == KEY_BYTES else None


def _create(path: str) -> None:
    """Write a new random key under a temporary name and link it into place: a reader sees all of it or nothing."""
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use that one
    finally:
        os.unlink(tmp)
