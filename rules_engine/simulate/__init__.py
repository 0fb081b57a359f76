"""`magicmix simulate`: a month-by-month Monte Carlo of lettings under a policy (see docs/simulate.md).

model (the model file) -> stock (the homes per area) -> run (one area, one run) -> parallel (runs over an
executor) -> summary (bands over the runs) -> render / html (the report); study holds the plain functions.
"""
