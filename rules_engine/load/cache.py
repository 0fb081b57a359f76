"""A cache of validated policies, so that a large policy is read and checked once, not at every command.

Reading and checking a national policy (30,000 complex files, 2.3 million homes) takes most
of a minute; loading the checked policy from the cache takes a few seconds. An entry is keyed
by the policy folder as given, the bytes of every file the check reads, and the bytes of
magicmix itself (its code and schemas): change any of them and the entry is simply not found.
Every policy checked without errors is cached, the small ones too: the example policy's entry loads in
a fraction of the time its 20 files take to read and check; the program is compiled afresh from the
cached policy. An entry also holds the occupancy.yaml the policy was checked with (api.example_occupancy).

The cache lives in $MAGICMIX_CACHE_DIR, else $XDG_CACHE_HOME/magicmix, else ~/.cache/magicmix;
MAGICMIX_CACHE=off turns it off. It keeps the newest few entries. Entries are pickles, and a
pickle can name any function to call, so nothing in an entry is unpickled before its HMAC-SHA256
is checked with a key that is kept outside the cache folder (cache_key.py): someone who can write
the cache folder (a restored CI cache, a synced home folder) cannot make an entry that is read.
Even then only the exact classes of the policy model, of an occupancy and a few standard types may
be named.
An entry that fails any check is ignored (and removed) and the policy is read from its files.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import fractions
import glob
import hashlib
import hmac
import io
import os
import pickle
import sys
import threading
from types import MappingProxyType

from ..model import levels, units
from ..model import policy as model
from ..atomic import atomic_writer
from .cache_key import entry_key
from .digest_memo import DigestMemo, memo_path
from .load import OCCUPANCY_FILE, file_digest, gc_paused, policy_files, unread_entries
from ..model.policy import Policy, frozen_map
from .occupancy import Occupancy, OccupancyRow
from .schemas_check import KINDS, schema_path

KEEP = 4  # entries kept; a national policy takes a few hundred MB
MAX_ENTRY_BYTES = 4 << 30  # a larger file in the cache folder is no entry of ours (a national policy: ~160 MB)
_MAGIC = b"magicmix-policy-cache-3\n"  # 2: authenticated entries; 3: (policy, its checked occupancy.yaml)
_MAC = 32  # bytes of HMAC-SHA256, after the marker and the key
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # rules_engine/, every module under it


def cache_dir() -> str | None:
    """The cache folder, or None when the cache is turned off."""
    if os.environ.get("MAGICMIX_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    explicit = os.environ.get("MAGICMIX_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "magicmix")


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """The bytes of magicmix's own code and schemas: a new version never reads an old entry. Each file's sha256
    comes from a digest memo of the package, as a policy folder's do, when its status is unchanged."""
    digest = hashlib.sha256(sys.version.encode())
    memo = _digest_memo(_PACKAGE)

    def sha(rel: str, path: str) -> bytes:
        return memo.digest(rel, path, file_digest) if memo is not None else file_digest(path)
    for rel in _modules(_PACKAGE):  # every module wherever it lies in the package, not only the top level
        digest.update(rel.encode() + b"\0" + sha(rel, os.path.join(_PACKAGE, rel)))
    for kind in sorted(KINDS):  # the schemas as the check reads them (wheel or checkout)
        digest.update(kind.encode() + b"\0" + sha(f"schemas/{kind}.json", schema_path(kind)))
    if memo is not None:
        memo.save()
    return digest.digest()


def _modules(package: str) -> list[str]:
    """Every .py file under package, as sorted paths relative to it ('/' separated)."""
    found = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        rel = os.path.relpath(folder, package)
        found += [(n if rel == "." else f"{rel}/{n}").replace(os.sep, "/") for n in files if n.endswith(".py")]
    return sorted(found)


def policy_key(root: str) -> str:
    """The cache key of a policy folder: its path as given and the bytes of every file the check reads."""
    digest = hashlib.sha256(_code_digest() + b"\0" + root.encode("utf-8", "surrogateescape") + b"\0")
    rels = policy_files(root) + [OCCUPANCY_FILE]
    households = os.path.join(root, "examples", "households")
    if os.path.isdir(households):
        rels += sorted(f"examples/households/{n}" for n in os.listdir(households))
    memo = _digest_memo(root)  # the digests of the last run, for files whose status is unchanged
    prefix = os.path.join(root, "")  # + a relative path: os.path.join(root, rel), without 30,000 calls
    if memo is None:
        digests = {rel: file_digest(prefix + rel) for rel in rels}  # not yet checked inside the folder
    else:
        digests = {rel: memo.digest(rel, prefix + rel, file_digest) for rel in rels}
        memo.save()
    for rel in rels:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + (digests[rel] or b"-"))
    for rel in unread_entries(root):  # refused by the reader: a kept result must not stand in for that refusal
        digest.update(b"unread\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
    _last_digests.clear()
    _last_digests[root] = digests
    return digest.hexdigest()


def _digest_memo(root: str) -> DigestMemo | None:
    directory = cache_dir()
    if directory is None:
        return None
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)  # from the first run on, as store() makes it
    except OSError:
        return None
    if not _private(directory):
        return None
    secret = entry_key(directory)
    return None if secret is None else DigestMemo(memo_path(directory, root), secret)


_last_digests: dict[str, dict[str, bytes]] = {}  # of the last key made: read_policy need not hash the files again


def key_digests(root: str) -> dict[str, bytes]:
    """The sha256 of each file (relative path -> digest, b'' unreadable) that the last policy_key(root) hashed, taken
    once: the run that made the key reads the policy next (an empty dict when the last key was of another folder).
    The files are not checked to lie inside the folder: the reader does that (load.file_digests)."""
    return _last_digests.pop(root, {})


def _private(path: str) -> bool:
    """Whether a file or folder is this user's own and nobody else may write to it."""
    if not hasattr(os, "getuid"):
        return True
    try:
        st = os.stat(path)
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


# Exact (module, name) pairs: a dotted name such as 'Policy.__init__.__code__' reaches any object,
# so the classes of the model (with its unit table, and of its levels registry) are listed one by one, by the module they are defined in.
_ALLOWED = frozenset({("fractions", "Fraction"), ("datetime", "date"), ("array", "_array_reconstructor"),
                      ("array", "array"), ("builtins", "bytearray"), (model.__name__, "frozen_map"),
                      (Occupancy.__module__, "Occupancy"), (OccupancyRow.__module__, "OccupancyRow")} |
                     {(mod.__name__, name) for mod in (model, units, levels) for name, value in vars(mod).items()
                      if isinstance(value, type) and value.__module__ == mod.__name__})


class _Unpickler(pickle.Unpickler):
    """Names only the classes of the policy model, of an occupancy and a few standard types: an entry can build data,
    nothing else."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a policy cache")


def _mac(secret: bytes, data: bytes, body: int) -> bytes:
    """The HMAC-SHA256 of an entry: its marker and key (before the MAC) and its pickle (from body on)."""
    view = memoryview(data)
    mac = hmac.new(secret, view[:body - _MAC], "sha256")
    mac.update(view[body:])
    return mac.digest()


def read_entry(path: str, head: bytes, secret: bytes, unpickler: type[pickle.Unpickler]):
    """What an entry holds, read once (what is checked is what is unpickled): raises on a file larger than
    MAX_ENTRY_BYTES, another marker or key (head), a MAC that does not match, or a name unpickler refuses."""
    return unpickle_entry(verified_entry(path, head, secret), head, unpickler)


def verified_entry(path: str, head: bytes, secret: bytes) -> bytes:
    """The bytes of an entry, read once and checked (see read_entry), for unpickle_entry."""
    with open(path, "rb", buffering=0) as fh:
        if os.fstat(fh.fileno()).st_size > MAX_ENTRY_BYTES:
            raise ValueError("entry too large")
        data = fh.read(MAX_ENTRY_BYTES + 1)
    mac = data[len(head):len(head) + _MAC]
    if len(data) > MAX_ENTRY_BYTES or not data.startswith(head) \
            or not hmac.compare_digest(mac, _mac(secret, data, len(head) + _MAC)):
        raise ValueError("not this entry, or not written by this user")
    return data


def unpickle_entry(data: bytes, head: bytes, unpickler: type[pickle.Unpickler]):
    """What the checked bytes of an entry (verified_entry, with the same head) hold."""
    body = io.BytesIO(data)  # shares the bytes, no copy
    body.seek(len(head) + _MAC)
    with gc_paused():  # millions of objects with no cycles among them
        return unpickler(body).load()


def write_entry(path: str, head: bytes, secret: bytes, value) -> None:
    """Write value as an entry (head, its HMAC, its pickle), atomically; OSError or PicklingError when it cannot."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[MappingProxyType] = lambda m: (frozen_map, (dict(m),))
    pickler.dispatch_table[fractions.Fraction] = _reduce_fraction
    pickler.dump(value)
    mac = hmac.new(secret, head, "sha256")
    mac.update(buffer.getbuffer())
    with atomic_writer(path) as fh:
        fh.buffer.write(head + mac.digest())
        fh.buffer.write(buffer.getbuffer())


def _reduce_fraction(f: fractions.Fraction):
    return fractions.Fraction, (f.numerator, f.denominator)


def _entry(directory: str, key: str) -> str:
    return os.path.join(directory, f"policy-{key}.pickle")


def load(root: str) -> tuple[str | None, Policy | None, Occupancy | None]:
    """(key, cached policy, its checked occupancy.yaml or None) for a policy folder; the policy is None when there is
    no usable entry.

    While the key is made (hashing what changed of 30,000 files, in Python), the entry of the key the folder had
    last time is read and its MAC checked in a thread (in C, which lets go of the interpreter): it is used only
    when the key made is that key, so what is unpickled is exactly what read_entry would unpickle."""
    directory = cache_dir()
    if directory is None:
        return None, None, None
    guess = _last_key(directory, root)
    early = _early(directory, guess) if guess is not None else None
    key = policy_key(root)
    if guess != key:  # the entry to read early next time (store() writes it under this key)
        _remember(directory, root, key)
    path = _entry(directory, key)
    if not os.path.exists(path) or not (_private(directory) and _private(path)):
        if early is not None:
            early()
        return key, None, None
    secret = entry_key(directory)
    if secret is None:
        if early is not None:
            early()
        return key, None, None
    head = _MAGIC + key.encode("ascii")
    try:
        data = early() if early is not None else None
        if guess != key:  # (a changed folder: the entry read early is not this one)
            data = None
        held = unpickle_entry(data if data is not None else verified_entry(path, head, secret), head, _Unpickler)
        policy, example = held if held.__class__ is tuple and len(held) == 2 else (None, None)
        if not isinstance(policy, Policy) or not (example is None or isinstance(example, Occupancy)):
            raise ValueError("not a policy")
    except Exception:  # noqa: BLE001 - a damaged entry of any kind is only a missed cache
        with contextlib.suppress(OSError):
            os.unlink(path)
        return key, None, None
    with contextlib.suppress(OSError):
        os.utime(path)  # the newest used entries are the ones kept
    return key, policy, example


def _last_path(directory: str, root: str) -> str:
    return memo_path(directory, root)[:-len(".json")] + ".last"


def _last_key(directory: str, root: str) -> str | None:
    """The key of the entry this folder had last (only a guess of which entry to read early; never trusted)."""
    try:
        with open(_last_path(directory, root), "rb") as fh:
            text = fh.read(65)
    except OSError:
        return None
    return text.decode("ascii") if len(text) == 64 and text.isalnum() else None


def _remember(directory: str, root: str, key: str) -> None:
    with contextlib.suppress(OSError), atomic_writer(_last_path(directory, root)) as fh:
        fh.write(key)


def _early(directory: str, key: str):
    """Start reading and checking the entry of key in a thread; returns a function that gives its bytes, or None
    when it could not be read or checked (then the entry is simply read again)."""
    secret = entry_key(directory)
    path = _entry(directory, key)
    if secret is None or not os.path.exists(path):
        return None
    done: list = []

    def work():
        with contextlib.suppress(Exception):  # any failure: read again, the ordinary way
            done.append(verified_entry(path, _MAGIC + key.encode("ascii"), secret))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()

    def result() -> bytes | None:
        thread.join()
        return done[0] if done else None

    return result


def store(key: str | None, policy: Policy, example: Occupancy | None) -> None:
    """Keep a checked policy and the occupancy.yaml it was checked with under its key; a cache that cannot be written
    is skipped."""
    directory = cache_dir()
    if key is None or directory is None:
        return
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not _private(directory):
            return
        secret = entry_key(directory)
        if secret is None:
            return
        write_entry(_entry(directory, key), _MAGIC + key.encode("ascii"), secret, (policy, example))
        _prune(directory)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return


def _prune(directory: str) -> None:
    entries = sorted(glob.glob(os.path.join(glob.escape(directory), "policy-*.pickle")), key=_mtime, reverse=True)
    for path in entries[KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0

