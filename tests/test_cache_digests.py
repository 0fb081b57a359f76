"""The policy cache's memo of file digests (load/digest_memo.py): unchanged files are not read again to make the
cache key; any write to a file, even one that keeps its size and modification time, is seen."""

from __future__ import annotations

import os
import time

import pytest

from rules_engine.load import cache, digest_memo


@pytest.fixture
def hashed(policy_copy, tmp_path, monkeypatch):
    """The files policy_key reads (hashes) from here on; the cache folder exists, files count as long unchanged."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("MAGICMIX_CACHE_DIR", str(folder))
    monkeypatch.setattr(digest_memo, "MARGIN_NS", -60 * 10**9)  # the copy was made just now: trust it all the same
    seen: list[str] = []
    real = cache.file_digest

    def counting(path, *args):
        seen.append(os.path.relpath(path, "pol"))
        return real(path, *args)

    monkeypatch.setattr(cache, "file_digest", counting)
    return seen


def test_unchanged_files_are_not_read_again(hashed):
    first = cache.policy_key("pol")
    assert "policy.yaml" in hashed
    hashed.clear()
    assert cache.policy_key("pol") == first
    assert hashed == []


def test_a_write_that_keeps_size_and_mtime_is_still_seen(policy_copy, hashed):
    first = cache.policy_key("pol")
    path = policy_copy / "complexes" / "zw-asn-01.yaml"
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("rent: 6", "rent: 7", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old modification time
    assert os.stat(path).st_size == before.st_size
    hashed.clear()
    assert cache.policy_key("pol") != first
    assert hashed == [os.path.join("complexes", "zw-asn-01.yaml")]


def test_a_recently_changed_file_is_hashed_again(policy_copy, hashed, monkeypatch):
    monkeypatch.setattr(digest_memo, "MARGIN_NS", 60 * 10**9)  # every file changed within the last minute
    cache.policy_key("pol")
    hashed.clear()
    cache.policy_key("pol")
    assert "policy.yaml" in hashed


def test_a_forged_or_damaged_memo_is_not_used(policy_copy, hashed, tmp_path):
    first = cache.policy_key("pol")
    [memo] = (tmp_path / "cache").glob("digests-*.json")
    data = memo.read_bytes()
    forged = data.replace(data[len(digest_memo._MAGIC) + 40:len(digest_memo._MAGIC) + 48], b"0" * 8)
    for bad in (forged, data[:100], b"{}"):
        memo.write_bytes(bad)
        os.chmod(memo, 0o600)
        hashed.clear()
        assert cache.policy_key("pol") == first
        assert "policy.yaml" in hashed  # read again, not taken from the memo


def test_no_memo_when_the_cache_is_off(policy_copy, hashed, tmp_path, monkeypatch):
    monkeypatch.setenv("MAGICMIX_CACHE", "off")
    cache.policy_key("pol")
    time.sleep(0.01)
    hashed.clear()
    cache.policy_key("pol")
    assert "policy.yaml" in hashed and list((tmp_path / "cache").glob("digests-*")) == []


def test_a_memo_of_odd_entries_is_read_without_harm(policy_copy, hashed, tmp_path):
    import hmac
    import json

    from rules_engine.load import cache_key

    first = cache.policy_key("pol")
    [memo] = (tmp_path / "cache").glob("digests-*.json")
    secret = cache_key.entry_key(str(tmp_path / "cache"))
    st = os.stat(policy_copy / "policy.yaml")
    status = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
    body = json.dumps({"since": 2**62, "files": {"policy.yaml": [status, "zz" * 32], "rules.yaml": ["x", "zz"],
                                                 "parameters.yaml": 5}})
    magic = digest_memo._MAGIC
    memo.write_bytes(magic + hmac.new(secret, magic + body.encode(), "sha256").digest() + body.encode())
    hashed.clear()
    assert cache.policy_key("pol") == first
    assert {"policy.yaml", "rules.yaml", "parameters.yaml"} <= set(hashed)
