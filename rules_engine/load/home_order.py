"""The order of a policy's homes and its categories, kept in the cache folder beside the policy cache.

That is all that reading an occupancy file needs of a policy (occupancy_rows.py finds each home by its
position and checks each category): with it `magicmix status` starts reading the file in a second process
before the policy itself is loaded (stock/composition_scan.py). What the file holds is never trusted: a
reading made with it is used only when the policy, once loaded, encodes to exactly the same bytes
(encoded), else that part of the occupancy is read again with the policy.
"""

from __future__ import annotations

import contextlib
import os

from ..atomic import atomic_writer
from .cache import _private, cache_dir
from .digest_memo import memo_path

MAX_BYTES = 1 << 30  # a larger file in the cache folder is no order of ours


class _Homes:
    """The homes of a HomeOrder as the occupancy checks read policy.units: by position, in policy order."""

    __slots__ = ("_ids", "_index")

    def __init__(self, ids: list[str]):
        self._ids = ids
        self._index: dict | None = None

    def ids_in_order(self) -> list[str]:
        """Every home id in policy order (read only)."""
        return self._ids

    def position_of(self):
        """A function: home id -> its position, or None (the index is built on the first call)."""
        if self._index is None:
            self._index = dict(zip(self._ids, range(len(self._ids))))
        return self._index.get

    def similar(self, word: str) -> list[str]:
        """No hint: a reading with a HomeOrder that finds anything wrong is read again with the policy."""
        return []

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class HomeOrder:
    """What the occupancy checks read of a Policy (.units and .category_ids), from the bytes encoded wrote."""

    __slots__ = ("units", "category_ids")

    def __init__(self, ids: list[str], category_ids: tuple[str, ...]):
        self.units = _Homes(ids)
        self.category_ids = category_ids


def encoded(policy) -> bytes | None:
    """The order of the policy's homes and its categories as bytes (the number of categories, then the
    categories and the home ids, one a line), or None when an id holds a line break (then the lines would not
    give them back) or the policy has no homes."""
    ids = policy.units.ids_in_order() if hasattr(policy.units, "ids_in_order") else list(policy.units)
    categories = tuple(policy.category_ids)
    if not ids:
        return None
    text = "\n".join((str(len(categories)), *categories, "\n".join(ids)))
    if text.count("\n") != len(categories) + len(ids):
        return None
    return text.encode("utf-8", "surrogateescape")


def decoded(data: bytes) -> HomeOrder | None:
    """The HomeOrder that encoded wrote as data, or None when data is not such a text."""
    try:
        lines = data.decode("utf-8", "surrogateescape").split("\n")
        count = int(lines[0])
    except (UnicodeDecodeError, ValueError):
        return None
    if not 0 <= count < len(lines) - 1:
        return None
    return HomeOrder(lines[count + 1:], tuple(lines[1:count + 1]))


def order_path(directory: str, root: str) -> str:
    """Where the order of a policy folder's homes is kept in the cache folder."""
    return memo_path(directory, root)[:-len(".json")] + ".homes"


def read_order(root: str) -> bytes | None:
    """The bytes kept for a policy folder (as given), or None when the cache is off or holds none of ours."""
    directory = cache_dir()
    if directory is None:
        return None
    path = order_path(directory, root)
    try:
        with open(path, "rb", buffering=0) as fh:
            if not _private(path) or os.fstat(fh.fileno()).st_size > MAX_BYTES:
                return None
            return fh.read(MAX_BYTES + 1)
    except OSError:
        return None


def keep_order(root: str, data: bytes | None, known: bytes | None) -> None:
    """Keep data (encoded(policy)) for a policy folder unless the cache already holds those bytes (known)."""
    directory = cache_dir()
    if data is None or data == known or directory is None or not _private(directory):
        return
    with contextlib.suppress(OSError), atomic_writer(order_path(directory, root), 0o600) as fh:
        fh.buffer.write(data)
