"""The room and composition an explanation shows (explain_groups.py, in integers from a plan per home's groups) are
room.py's definition and the facts' shares, on many compositions, leaving households and policies."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest

from conftest import DV, OB, ROOT
from test_compiled import _households, _random_counts
from rules_engine import load_policy
from rules_engine.engine.counts import composition_from_counts
from rules_engine.engine.evaluate import build_facts
from rules_engine.engine.explain import explain
from rules_engine.engine.room import band_room, limit_room
from rules_engine.model.levels import group_keys
from rules_engine.render.numbers import exact_text


@pytest.mark.parametrize("root", [OB, DV, ROOT / "bench" / "peers" / "policy", ROOT / "tests" / "data" / "wijk-zwolle"])
def test_room_and_composition_of_an_explanation_follow_their_definitions(root):
    program = load_policy(str(root), use_cache=False)
    policy = program.policy
    rnd = random.Random(13)
    units = sorted(policy.units)
    judged = set()
    for h in _households(rnd, policy.category_ids, 300):
        unit_id = rnd.choice(units)
        counts = _random_counts(rnd, policy, unit_id)
        leaving = rnd.choice([None] + [c for c, k in counts[policy.levels.keys[0]].items() if k])
        comp = composition_from_counts(policy, unit_id, dt.date(2025, 6, 1), counts, leaving)
        d = explain(program, h, unit_id, comp)
        f = build_facts(program, h, unit_id, comp)
        unit = policy.units[unit_id]
        profile = f.profile
        expected = []
        for lv, key in zip(policy.levels, group_keys(policy, unit)):
            g = f.current[lv.key]  # the home's own household left out, as the explanation counts
            for cid in policy.category_ids:
                if not lv.mix:
                    room = limit_room(g, profile.portiek_max_households, cid)
                    if room is None:
                        continue
                else:
                    bands = profile.mix.bands if lv.key == "complex" else policy.groups_of(lv.key)[key].mix.bands
                    room = band_room(g, bands, cid, profile.min_households)
                expected.append((lv.key, key, cid, room))
                judged.add(room is not None)
        assert [(r.level, r.group, r.category, r.room) for r in d.room] == expected
        for lc in d.composition:
            now, after = f.current[lc.level], f.projected[lc.level]
            assert (lc.occupied_now, lc.occupied_after) == (now.occupied, after.occupied)
            for c in lc.categories:
                assert (c.now, c.after) == (now.counts.get(c.category, 0), after.counts.get(c.category, 0))
                assert c.share_now == exact_text(now.share(c.category))
                assert c.share_after == exact_text(after.share(c.category))
                assert Fraction(c.share_now) == now.share(c.category)
    assert judged == {True, False} or root != OB
