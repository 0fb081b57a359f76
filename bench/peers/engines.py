"""The peers: the workload's decision in each peer engine, installed from PyPI (`bench/peers.py --setup`).

Each factory returns decide(input_dict) -> (decision, rule id); turning the input dict into what
the engine takes, and its answer back, is inside decide, so inside the timed loop. A factory
raises ImportError when its package is not installed. Every engine is handed the band edges as
literals (or, where it has no division, as integer cross-multiplication), never target + tolerance
computed at run time.
"""

from __future__ import annotations

import json

from . import (CATS, DEFAULT, HIGH, HIGH_TEXT, INCOME_LIMIT, LEGAL, LOW, LOW_TEXT, OUTCOMES, OVER, RENT_CAP, UNDER,
               lean_decider)

BY_RULE = {o[1]: o for o in (LEGAL, OVER, UNDER, DEFAULT)}


def plain():
    """The lean plain-Python reference itself."""
    return lean_decider()


def zen_expression():
    """GoRules zen-engine: one compiled zen expression (decimal numbers) returning [decision, rule]."""
    import zen

    n_c = "(c == 'regulier' ? n_regulier : (c == 'aandacht' ? n_aandacht : n_veerkrachtig))"
    occ = "(n_regulier + n_aandacht + n_veerkrachtig)"

    def edge(text):
        return f"(c == 'regulier' ? {text['regulier']} : (c == 'aandacht' ? {text['aandacht']} : {text['veerkrachtig']}))"

    expr = (f"income <= {INCOME_LIMIT} and rent > {RENT_CAP} ? ['{LEGAL[0]}', '{LEGAL[1]}'] : "
            f"(({n_c} + 1) / ({occ} + 1) > {edge(HIGH_TEXT)} ? ['{OVER[0]}', '{OVER[1]}'] : "
            f"({n_c} / {occ} < {edge(LOW_TEXT)} ? ['{UNDER[0]}', '{UNDER[1]}'] : ['{DEFAULT[0]}', '{DEFAULT[1]}']))")
    evaluate = zen.compile_expression(expr).evaluate

    def decide(x):
        return tuple(evaluate(x))
    return decide


def rego_policy() -> str:
    """The decision in Rego (v1 syntax); result is [decision, rule]."""
    def table(text):
        return "{" + ", ".join(f'"{c}": {text[c]}' for c in CATS) + "}"
    return f"""package magicmix

import rego.v1

high := {table(HIGH_TEXT)}

low := {table(LOW_TEXT)}

occupied := (input.n_regulier + input.n_aandacht) + input.n_veerkrachtig

n_c := {{"regulier": input.n_regulier, "aandacht": input.n_aandacht, "veerkrachtig": input.n_veerkrachtig}}[input.c]

legal if {{
	input.income <= {INCOME_LIMIT}
	input.rent > {RENT_CAP}
}}

over if ((n_c + 1) / (occupied + 1)) > high[input.c]

under if (n_c / occupied) < low[input.c]

default result := ["{DEFAULT[0]}", "{DEFAULT[1]}"]

result := ["{LEGAL[0]}", "{LEGAL[1]}"] if {{
	legal
}} else := ["{OVER[0]}", "{OVER[1]}"] if {{
	over
}} else := ["{UNDER[0]}", "{UNDER[1]}"] if {{
	under
}}
"""


def regorus_engine():
    """regorus (Rego in Rust), its interpreter: the input as JSON text, eval_rule per input."""
    import regorus

    engine = regorus.Engine()
    engine.add_policy("magicmix.rego", rego_policy())
    set_input_json, eval_rule, dumps = engine.set_input_json, engine.eval_rule, json.dumps

    def decide(x):
        set_input_json(dumps(x))
        return tuple(eval_rule("data.magicmix.result"))
    return decide


def regorus_rvm():
    """regorus' RVM: the policy compiled to bytecode once (experimental in regorus), JSON in and out per input."""
    import regorus

    program = regorus.Program.compile_from_modules("{}", [("magicmix.rego", rego_policy())], ["data.magicmix.result"])
    vm = regorus.Rvm()
    vm.load_program(program)
    set_input_json, execute, dumps, loads = vm.set_input_json, vm.execute, json.dumps, json.loads

    def decide(x):
        set_input_json(dumps(x))
        return tuple(loads(execute()))
    decide.keep = program
    return decide


def opa():
    """Open Policy Agent (Go) in-process through its c-shared bindings: eval_document per input."""
    from opa_bindings import OpaEngine

    engine = OpaEngine()
    engine.add_policy("magicmix.rego", rego_policy())
    evaluate = engine.eval_document

    def decide(x):
        return tuple(evaluate("magicmix.result", x))
    decide.engine = engine  # keeps the Go side alive
    return decide


def cedar_policies() -> str:
    """The decision as four Cedar policies, exactly one of which decides any request.

    Cedar has no division: shares are compared by cross-multiplying integers. forbid beats permit,
    which gives the legal rule and the ceiling precedence; `unless` keeps each pair exclusive."""
    occ = "(context.n_regulier + context.n_aandacht + context.n_veerkrachtig)"
    over = " ||\n    ".join(f'(context.c == "{c}" && (context.n_{c} + 1) * {HIGH[c][1]} > {HIGH[c][0]} * ({occ} + 1))'
                            for c in CATS)
    under = " ||\n    ".join(f'(context.c == "{c}" && context.n_{c} * {LOW[c][1]} < {LOW[c][0]} * {occ})' for c in CATS)
    legal = f"context.income <= {INCOME_LIMIT} && context.rent > {RENT_CAP}"
    return f"""@id("{LEGAL[1]}")
forbid (principal, action == Action::"allocate", resource)
when {{ {legal} }};

@id("{OVER[1]}")
forbid (principal, action == Action::"allocate", resource)
when {{
    {over}
}}
unless {{ {legal} }};

@id("{UNDER[1]}")
permit (principal, action == Action::"allocate", resource)
when {{
    {under}
}};

@id("{DEFAULT[1]}")
permit (principal, action == Action::"allocate", resource)
unless {{
    {under}
}};
"""


def cedar():
    """Cedar (cedarpy): is_authorized per input with the input as context; the deciding policy is the rule."""
    import cedarpy

    policies = cedarpy.PolicySet.from_str(cedar_policies())
    entities = cedarpy.Entities.from_json_str("[]")
    # a policy set's ids are its @id annotations or, in some versions, policy0..policy3 in order
    by_id = dict(BY_RULE)
    by_id.update({f"policy{i}": o for i, o in enumerate((LEGAL, OVER, UNDER, DEFAULT))})
    is_authorized = cedarpy.is_authorized

    def decide(x):
        reasons = is_authorized({"principal": 'Household::"h"', "action": 'Action::"allocate"',
                                 "resource": 'Complex::"x"', "context": x}, policies, entities).diagnostics.reasons
        return by_id[reasons[0]] if len(reasons) == 1 else None
    return decide


def _durable_ruleset(name: str):
    """The four rules with salience, in durable-rules' own Python DSL; returns (ruleset, its answer box)."""
    from durable.lang import m, pri, ruleset, when_all

    out = [None]
    over = under = None
    for c in CATS:
        n = getattr(m, "n_" + c)
        (hp, hq), (lp, lq) = HIGH[c], LOW[c]
        o = (m.c == c) & (n > (m.occupied + 1) * hp / float(hq) - 1)  # a float divisor: ints divide as ints
        u = (m.c == c) & (n < m.occupied * lp / float(lq))
        over = o if over is None else over | o
        under = u if under is None else under | u
    rules = ruleset(name)
    with rules:
        @when_all(pri(1), (m.income <= INCOME_LIMIT) & (m.rent > RENT_CAP))
        def legal(c):
            out[0] = LEGAL

        @when_all(pri(2), over)
        def mix_over(c):
            out[0] = OVER

        @when_all(pri(3), under)
        def mix_under(c):
            out[0] = UNDER

        @when_all(pri(4), +m.c)
        def mix_default(c):
            out[0] = DEFAULT
    return rules, out


def durable_rules():
    """durable-rules (Rete, in C): each input posted as an event; salience picks the first rule that matches.

    durable-rules cannot add two fields of one event in a condition, so `occupied` is summed in
    Python and posted with the event; shares are compared as n_c > (occupied + 1) * p / q - 1."""
    from durable.lang import get_host

    _, out = _durable_ruleset("peers")
    post = get_host().post

    def decide(x):
        event = dict(x)
        event["occupied"] = x["n_regulier"] + x["n_aandacht"] + x["n_veerkrachtig"]
        out[0] = None
        post("peers", event)
        return out[0]
    return decide


def durable_core():
    """The same ruleset in durable-rules' C core (durable_rules_engine), driven as magicmix --engine durable
    drives it: the event as JSON text, then the rule that fired read from the core's answer, no Python Host.

    The row to set magicmix --engine durable beside when asking what the Host's own work costs."""
    import durable_rules_engine as core

    rules, _ = _durable_ruleset("peers_core")
    name, definition = rules.define()
    by_rule = {}
    for rule, outcome in zip(sorted(definition, key=lambda r: definition[r]["pri"]), OUTCOMES):
        del definition[rule]["run"]
        by_rule[rule] = outcome
    handle = core.create_ruleset(name, json.dumps(definition))
    assert_event, start, complete, dumps = core.assert_event, core.start_action_for_state, \
        core.complete_and_start_action, json.dumps

    def decide(x):
        event = dict(x)
        event["occupied"] = x["n_regulier"] + x["n_aandacht"] + x["n_veerkrachtig"]
        state = assert_event(handle, dumps(event))[1]
        action = start(handle, state)
        if action is None:
            return None
        message = action[1]
        found = by_rule[message[2:message.index('"', 2)]]  # the first by salience; it consumes the event
        while message:
            message = complete(handle, state)
        return found
    decide.handle = handle
    return decide


# key -> (row label, PyPI package whose version is shown, factory)
PEERS = {
    "plain": ("plain Python (lean reference)", None, plain),
    "zen": ("zen-engine, compiled expression", "zen-engine", zen_expression),
    "regorus": ("regorus (Rego), interpreter", "gordon-to-regorus", regorus_engine),
    "regorus-rvm": ("regorus (Rego), RVM bytecode", "gordon-to-regorus", regorus_rvm),
    "durable": ("durable-rules (Rete), post event", "durable-rules", durable_rules),
    "durable-core": ("durable-rules (Rete), its C core, no Host", "durable-rules", durable_core),
    "cedar": ("Cedar (cedarpy), is_authorized", "cedarpy", cedar),
    "opa": ("OPA (Go) bindings, eval_document", "opa-golib-python-bindings", opa),
}
