"""The sha256 of a policy's files (and of magicmix's own, for the cache key) without reading them again: a file
whose status (inode, size, modification and change times) is what it was when it was hashed, well before, has the
same bytes.

Hashing 30,000 files (200 MB) is most of loading a checked policy from the cache. Like git's index and
Bazel's digest cache, the digests of the last run are kept with each file's status: a file is read
again when any of device, inode, size, mtime or ctime differs. The change time (ctime) is set by the
system on every write and cannot be set back by a program, so a file written after it was hashed always
differs. A file changed less than MARGIN_NS before it was hashed is not trusted (git's "racily clean"
files): a second write within the same clock tick could leave its times as they were.

The memo is JSON, no code; it is still authenticated like the cache's entries (an HMAC with the user's
key, cache_key.py), because a forged memo could make a changed policy look unchanged. It lives in the
cache folder, one per policy folder, is written atomically, and is ignored when it is damaged, too
large, or not this user's own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import time

from ..atomic import atomic_writer

_MAGIC = b"magicmix-digests-1\n"
MARGIN_NS = 5 * 10**9  # a file changed within this of being hashed is hashed again next time
MAX_BYTES = 64 << 20


def _status(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


class DigestMemo:
    """The kept digests of one policy folder's files; digest() answers from it or hashes."""

    def __init__(self, path: str, secret: bytes):
        self._path, self._secret = path, secret
        self._old: dict = {}
        self._since = 0  # files changed before this (ns) are trusted
        self._new: dict = {}
        self._hashed = False
        self._started = time.time_ns()
        self._read()

    def digest(self, rel: str, path: str, hash_file) -> bytes:
        """The sha256 of a regular file's bytes, from the memo when its status is unchanged, else hash_file(path)."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return b""  # as hash_file answers for a file it cannot open
        except OSError:
            st = None
        if st is not None and stat.S_ISREG(st.st_mode):
            status = _status(st)
            old = self._old.get(rel)
            if type(old) is list and len(old) == 2 and old[0] == status and st.st_ctime_ns < self._since:
                found = _digest(old[1])
                if found is not None:
                    self._new[rel] = old
                    return found
        found = hash_file(path)
        if st is not None and stat.S_ISREG(st.st_mode) and found:
            self._hashed = True
            self._new[rel] = [_status(st), found.hex()]
        return found

    def save(self) -> None:
        """Keep the digests of this run, when any file was hashed (or one went): a cache that cannot be written is
        skipped."""
        if not self._hashed and self._new.keys() == self._old.keys():
            return
        body = json.dumps({"since": self._started - MARGIN_NS, "files": self._new}, separators=(",", ":")).encode()
        try:
            with atomic_writer(self._path) as fh:
                fh.buffer.write(_MAGIC + hmac.new(self._secret, _MAGIC + body, "sha256").digest() + body)
        except OSError:
            return

    def _read(self) -> None:
        try:
            with open(self._path, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_size > MAX_BYTES or (hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022)):
                    return
                data = fh.read(MAX_BYTES + 1)
        except OSError:
            return
        head = len(_MAGIC) + 32
        if not data.startswith(_MAGIC) or not hmac.compare_digest(
                data[len(_MAGIC):head], hmac.new(self._secret, _MAGIC + data[head:], "sha256").digest()):
            return
        try:
            kept = json.loads(data[head:])
            files, since = kept["files"], kept["since"]
            if not (isinstance(files, dict) and isinstance(since, int)):
                return
        except (ValueError, KeyError, TypeError):
            return
        self._old = files
        self._since = since


def _digest(text) -> bytes | None:
    """A kept digest (64 hex digits), or None for anything else."""
    if not (isinstance(text, str) and len(text) == 64):
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def memo_path(directory: str, root: str) -> str:
    """Where the digests of a policy folder are kept in the cache folder."""
    name = hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return os.path.join(directory, f"digests-{name}.json")
