"""The web app for the letting moment: server-rendered pages (Jinja2) over the plain Python functions.

Pages: login, Vacatures (choose a home), Kandidaten (upload or enter candidates, the ranking),
Uitleg (a candidate's explanation), Besluit (follow or deviate with a coded reason) and Buurten
(status per buurt and complex). Served by the same process as the REST API (rules_engine.service).
"""
