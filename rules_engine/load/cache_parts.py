"""The policy cache's parts: each complex file's checked part, so that after a change to one file only that file is read.

The whole checked policy (cache.py) serves a run whose files are all unchanged. When one of them
changed, its key is new; then the parts of complex files come from here (complex_part.py), each under
a key of its own: magicmix's code and schemas, the bytes of policy.yaml (a part is checked against it),
the file's path as given and the sha256 of its bytes. Only files whose part is missing are read; the
checks across files (ids used twice) and everything else run again over all parts, as on a full read
(the way mypy, ruff and Bazel key a result per input file by its content and rerun what depends on
several). A file refused by its schema is kept too, with what its reading found.

Parts are kept per policy folder in two packs: the base, written by a run that read most files, and the
delta, the parts read since (small: one changed file adds one part). When the delta grows past an
eighth of the parts, the next run that writes merges both into a new base. Packs are written like the
whole policy: atomically, HMAC-authenticated with the user's key (cache_key.py), read with an unpickler
that names only the model's classes, the part and the diagnostic, and no larger than MAX_ENTRY_BYTES.
Two runs that write at once each write whole packs of valid parts; a lock keeps them from doing the
same work twice. A pack that fails any check is removed and its parts are read from their files.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import pickle

from ..diagnostics import Diagnostic, PolicyError
from . import cache
from .cache import _ALLOWED, _code_digest, _mtime, _private, cache_dir, read_entry, write_entry
from .cache_key import entry_key
from .complex_part import ComplexPart

_MAGIC = b"magicmix-policy-parts-1\n"
DELTA_SHARE = 8  # a delta of more than 1/8 of the parts is merged into a new base
MAX_PARTS = 2_000_000  # parts in one pack
MIN_SECONDS = 1.0  # a policy checked faster than this gets no packs: re-reading its few complex files is quick
LOCK_SECONDS = 2.0  # another run writing the packs of this folder: this one leaves the writing to it

_PART_ALLOWED = _ALLOWED | {(ComplexPart.__module__, "ComplexPart"), (Diagnostic.__module__, "Diagnostic")}


class _Unpickler(pickle.Unpickler):
    """Names only the model's classes, a few standard types, the part and the diagnostic."""

    def find_class(self, module: str, name: str):
        if (module, name) in _PART_ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a policy cache")


class PartStore:
    """The parts kept for one policy folder: looked up by key, with the parts made in this run added on save()."""

    def __init__(self, directory: str, secret: bytes, root: str, digests: dict[str, bytes] | None = None):
        self._dir, self._secret = directory, secret
        self.digests = digests or {}  # relative path -> sha256, as the whole policy's key hashed them
        self._name = hashlib.sha256(_code_digest() + b"\0" + root.encode("utf-8", "surrogateescape")).hexdigest()[:40]
        self._base = self._read("base")
        self._delta = self._read("delta")
        self._used: dict[bytes, ComplexPart] = {}
        self._new: dict[bytes, ComplexPart] = {}

    def __len__(self) -> int:
        return len(self._base) + len(self._delta)

    @staticmethod
    def key(context: bytes, path: str, digest: bytes) -> bytes:
        """The key of a part: magicmix's code, policy.yaml's sha256 (context), the file's path and its sha256."""
        return hashlib.sha256(b"complex-part\0" + _code_digest() + context + b"\0" +
                              path.encode("utf-8", "surrogateescape") + b"\0" + digest).digest()

    def get(self, key: bytes) -> ComplexPart | None:
        """The kept part under key, or None."""
        part = self._delta.get(key) or self._base.get(key)
        if part is not None:
            self._used[key] = part
        return part

    def put(self, key: bytes, part: ComplexPart) -> None:
        """A part made in this run, kept on save()."""
        self._new[key] = part
        self._used[key] = part

    def save(self, seconds: float) -> None:
        """Write the parts of this run (that took seconds): into the delta, or all of them into a new base when
        there is none yet or the delta grew large. A small policy (checked in under MIN_SECONDS) is not kept."""
        if not self._new or (not len(self) and seconds < MIN_SECONDS) or len(self._used) > MAX_PARTS:
            return
        delta = {k: p for k, p in self._used.items() if k in self._new or (k in self._delta and k not in self._base)}
        from ..file_lock import exclusive  # only when writing: filelock is not needed by a run that only reads

        try:
            with exclusive(self._path("base"), timeout=LOCK_SECONDS):
                if not self._base or len(delta) * DELTA_SHARE > len(self._used):
                    write_entry(self._path("base"), self._head("base"), self._secret, self._used)
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self._path("delta"))
                else:
                    write_entry(self._path("delta"), self._head("delta"), self._secret, delta)
            _prune(self._dir)
        except (OSError, PolicyError, pickle.PicklingError, TypeError, AttributeError):
            return  # a cache that cannot be written is only not kept

    def _path(self, kind: str) -> str:
        return os.path.join(self._dir, f"parts-{self._name}-{kind}.pickle")

    def _head(self, kind: str) -> bytes:
        return _MAGIC + self._name.encode("ascii") + kind.encode("ascii") + b"\n"

    def _read(self, kind: str) -> dict[bytes, ComplexPart]:
        path = self._path(kind)
        if not os.path.exists(path) or not _private(path):
            return {}
        try:
            parts = read_entry(path, self._head(kind), self._secret, _Unpickler)
            if not (isinstance(parts, dict) and len(parts) <= MAX_PARTS and
                    all(isinstance(k, bytes) and isinstance(p, ComplexPart) for k, p in parts.items())):
                raise ValueError("not a pack of parts")
        except Exception:  # noqa: BLE001 - a damaged pack of any kind is only a missed cache
            with contextlib.suppress(OSError):
                os.unlink(path)
            return {}
        with contextlib.suppress(OSError):
            os.utime(path)  # the packs of the most recently used folders are the ones kept
        return parts


def part_store(root: str) -> PartStore | None:
    """The store of parts for a policy folder, or None when the cache is off or cannot be used safely."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not _private(directory):
        return None
    secret = entry_key(directory)
    return None if secret is None else PartStore(directory, secret, root, cache.key_digests(root))


def _prune(directory: str) -> None:
    """Keep the packs of the KEEP most recently used policy folders."""
    bases = sorted(glob.glob(os.path.join(glob.escape(directory), "parts-*-base.pickle")), key=_mtime, reverse=True)
    for base in bases[cache.KEEP:]:
        for path in (base, base[:-len("base.pickle")] + "delta.pickle"):
            with contextlib.suppress(OSError):
                os.unlink(path)
