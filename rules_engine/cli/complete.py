"""Shell completion (click's shell_complete): files and folders for paths, and the ids a policy declares (homes,
complexes, levels) or a decision log holds. Enable with `eval "$(_MAGICMIX_COMPLETE=bash_source magicmix)"`
(zsh_source, fish_source)."""

from __future__ import annotations

import os

import click
from click.shell_completion import CompletionItem

_LIMIT = 500  # a national stock has 2 million homes: offer the first matches, not all


class FilePath(click.Path):
    """A file path: completed by the shell as a file; read as text (existence is checked where it is read, with the
    message in the user's language)."""

    def shell_complete(self, ctx, param, incomplete):  # noqa: D102 - click hook
        return [CompletionItem(incomplete, type="file")]


class PolicyPath(click.Path):
    """A policy folder: completed by the shell as a folder."""

    def shell_complete(self, ctx, param, incomplete):  # noqa: D102 - click hook
        return [CompletionItem(incomplete, type="dir")]


def _policy_in_words() -> str | None:
    """The policy folder on the line being completed (COMP_WORDS, which click sets for every shell): when an option
    is still missing its value, click leaves the arguments before it unparsed."""
    import shlex

    try:
        words = shlex.split(os.environ.get("COMP_WORDS", ""))
    except ValueError:
        return None
    return next((w for w in words[1:] if not w.startswith("-") and os.path.isfile(os.path.join(w, "policy.yaml"))),
                None)


def _policy(ctx: click.Context):
    path = ctx.params.get("policy") or _policy_in_words()
    if not path:
        return None
    try:
        from ..api import load_policy

        return load_policy(path).policy
    except Exception:  # noqa: BLE001 - a completion never fails the shell: no policy, no suggestions
        return None


def _matching(names, incomplete: str) -> list[CompletionItem]:
    out = []
    for name in names:
        if str(name).startswith(incomplete):
            out.append(CompletionItem(str(name)))
            if len(out) >= _LIMIT:
                break
    return out


def complete_units(ctx, param, incomplete):
    """The homes of the policy given as the command's POLICY."""
    pol = _policy(ctx)
    if pol is None:
        return []
    near = pol.units.similar(incomplete, _LIMIT) if hasattr(pol.units, "similar") else sorted(pol.units)
    return _matching(near, incomplete)  # the sorted neighbours of the prefix: no sort of a national stock


def complete_complexes(ctx, param, incomplete):
    """The complexes of the policy given as the command's POLICY."""
    pol = _policy(ctx)
    return [] if pol is None else _matching(sorted(pol.complexes), incomplete)


def complete_levels(ctx, param, incomplete):
    """The levels of the policy (or the default ones)."""
    pol = _policy(ctx)
    if pol is None:
        from ..model.levels import DEFAULT

        return _matching(DEFAULT.keys, incomplete)
    return _matching(pol.levels.keys, incomplete)


def complete_decisions(ctx, param, incomplete):
    """The decision ids in the log given with --log (or MAGICMIX_LOG)."""
    path = ctx.params.get("log_path") or os.environ.get("MAGICMIX_LOG")
    if not path:
        return []
    try:
        from ..allocation.decision_log import read_log

        ids = [r.get("decision_id") for r in read_log(path).records if r.get("type") == "decision"]
    except Exception:  # noqa: BLE001 - as above
        return []
    return _matching([i for i in ids if isinstance(i, str)], incomplete)


def complete_outcomes(ctx, param, incomplete):
    """The outcomes a person can record."""
    from ..model.outcomes import OUTCOMES

    return _matching(OUTCOMES, incomplete)


__all__ = ["FilePath", "PolicyPath", "complete_complexes", "complete_decisions", "complete_levels",
           "complete_outcomes", "complete_units"]
