"""Progress bars on standard error during long steps (a batch, a national status, loading a large policy), drawn by
tqdm with the numbers in the user's language (203.037 rijen, 64,8 %); nothing at all when standard error is not a
terminal (CI logs, pipes, tests)."""

from __future__ import annotations

import contextlib
import os
import sys
import threading

# The line of busy() is drawn from a thread while the policy loads, and loading a large policy forks workers: no
# fork happens while that thread is writing (a child would inherit a held lock of standard error).
_DRAWING = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_DRAWING.acquire, after_in_parent=_DRAWING.release,
                        after_in_child=_DRAWING.release)


def number(n: float, lang: str, decimals: int = 0) -> str:
    """A number with thousands separators: 203.037 (nl) or 203,037 (en); decimals after a comma (nl) or point."""
    text = f"{n:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "nl" else text


def _stream(stream):
    stream = sys.stderr if stream is None else stream
    return stream if getattr(stream, "isatty", lambda: False)() else None


class _Silent:
    """Stands in for a bar when standard error is not a terminal."""

    def update_to(self, done: int, count: int | None = None) -> None:  # noqa: D102
        pass

    def close(self) -> None:  # noqa: D102
        pass


def bar(desc: tuple[str, str], lang: str, total: int | None, unit: tuple[str, str], stream=None):
    """A bar towards total (bytes read, complexes done...), counting `unit` (rows, complexes) with their rate.

    Returns an object with update_to(done, count=None) and close(); silent when stream (standard error) is not a
    terminal."""
    out = _stream(stream)
    if out is None:
        return _Silent()
    return _Bar(desc[0] if lang == "nl" else desc[1], lang, total, unit[0] if lang == "nl" else unit[1], out)


class _Bar:
    def __init__(self, desc: str, lang: str, total: int | None, unit: str, out):
        from tqdm import tqdm

        lang_ = lang
        self.count = 0

        class Dutch(tqdm):  # the numbers in the bar, in the user's language
            monitor_interval = 0  # no monitor thread: a batch forks its workers while the bar is shown
            @property
            def format_dict(inner):
                d = super().format_dict
                n, t, rate = d["n"], d["total"], d["rate"]
                shown = self.count if self.count else n
                d["count_l"] = f"{number(shown, lang_)} {unit}"
                d["rate_l"] = f"{number(rate * shown / n if rate and n else 0, lang_)}/s"
                d["pct_l"] = f"{number(100 * n / t, lang_, 1)} %" if t else ""
                return d

        import shutil

        size = shutil.get_terminal_size((80, 24))  # where a terminal reports no size, tqdm would draw nothing
        self._bar = Dutch(total=total, desc=desc, file=out, leave=False, mininterval=0.5, ncols=max(size.columns, 40),
                          nrows=max(size.lines, 5),
                          bar_format="{desc}: {pct_l} |{bar}| {count_l} · {rate_l} · {elapsed}<{remaining}"
                          if total else "{desc}: {count_l} · {rate_l} · {elapsed}")

    def update_to(self, done: int, count: int | None = None) -> None:
        """Move the bar to done (of total); count is what the line counts when it is not done itself."""
        if count is not None:
            self.count = count
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal."""
        self._bar.close()


@contextlib.contextmanager
def busy(desc: tuple[str, str], lang: str, stream=None, after: float = 1.0):
    """A line with the time spent while a step without its own progress runs (loading a large policy); shown only
    when the step takes longer than `after` seconds and standard error is a terminal."""
    out = _stream(stream)
    if out is None:
        yield
        return
    done = threading.Event()
    shown: list = []

    def tick() -> None:
        if done.wait(after):
            return
        from tqdm import tqdm

        tqdm.monitor_interval = 0
        with _DRAWING:
            line = tqdm(total=None, desc=desc[0] if lang == "nl" else desc[1], file=out, leave=False,
                        bar_format="{desc}... {elapsed}", ncols=80, nrows=24)
        shown.append(line)
        while not done.wait(0.5):
            with _DRAWING:
                line.refresh()

    worker = threading.Thread(target=tick, daemon=True)
    worker.start()
    try:
        yield
    finally:
        done.set()
        worker.join()
        for line in shown:
            line.close()


__all__ = ["bar", "busy", "number"]
