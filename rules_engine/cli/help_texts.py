"""Every help text of the command line, in Dutch and English, in one table.

`--help` is in Dutch under `--lang nl` or MAGICMIX_LANG=nl, in English otherwise. TEXTS[command][name] is
(nl, en): name "" is the command's own help, "--option" an option's; COMMON holds the options many
commands share (a command's own entry wins).
"""

from __future__ import annotations

COMMON = {
    "--lang": ("Taal van meldingen en uitleg.", "Language of messages and explanations."),
    "--engine": ("Regelengine: default, of durable (durable-rules, kruiselings gecontroleerd; vraagt magicmix[durable]).",
                 "Rule engine: default, or durable (durable-rules, cross-checked; needs magicmix[durable])."),
    "--occupancy": ("Bezettingsbestand; standaard de occupancy.yaml van het beleid.",
                    "Occupancy file; default: the policy's occupancy.yaml."),
    "--date": ("Datum (JJJJ-MM-DD); standaard vandaag.", "Date (YYYY-MM-DD); default: today."),
    "--format": ("Uitvoervorm.", "Output format."),
    "--output": ("Schrijf naar dit bestand (atomair) in plaats van naar de standaarduitvoer.",
                 "Write to this file (atomically) instead of standard output."),
    "--unit": ("Id van de woning die verhuurd wordt.", "Id of the home being let."),
    "--help": ("Toon deze hulptekst en stop.", "Show this message and exit."),
    "--version": ("Toon de versie en stop.", "Show the version and exit."),
    "--db": ("Database: sqlite:///PAD (ingebed) of postgresql://gebruiker@host:poort/dbnaam.",
             "Database: sqlite:///PATH (embedded) or postgresql://user@host:port/dbname."),
}

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "magicmix": {
        "": ("magicmix: beleid voor de woonmix als code (validate, evaluate, rank, status, test, diff, log, report, "
             "room).",
             "magicmix: tenant-mix policy as code (validate, evaluate, rank, status, test, diff, log, report, room)."),
    },
    "validate": {
        "": ("Controleer beleidsmappen (of een map met beleid): schema en betekenis.\n\n"
             "Exit 0 in orde, 1 beleidsfouten, 2 onleesbare invoer.",
             "Check policy folders (or a folder of policies): schema and meaning.\n\n"
             "Exit 0 clean, 1 policy errors, 2 unreadable input."),
        "--format": ("sarif: GitHub code scanning (SARIF 2.1.0); codequality: GitLab Code Quality.",
                     "sarif: GitHub code scanning (SARIF 2.1.0); codequality: GitLab Code Quality."),
        "--strict": ("Ook waarschuwingen laten falen.", "Warnings fail too."),
        "--date": ("Waarschuw voor jaarlijkse parameters zonder waarde in het jaar van deze datum; standaard vandaag.",
                   "Warn about annual parameters without a value in this date's year; default: today."),
    },
    "evaluate": {
        "": ("Advies over het verhuren van een woning aan een huishouden, met de volledige uitleg (of veel rijen met "
             "--batch).",
             "Advise on letting a home to a household, with the full explanation (or many rows with --batch)."),
        "--household": ("Huishoudbestand (YAML of JSON).", "Household file (YAML or JSON)."),
        "--batch": ("Beoordeel elke rij van een JSONL- of CSV-bestand (id, size, income, category, unit, en eventueel "
                    "age, flags, date).",
                    "Evaluate every row of a JSONL or CSV file (id, size, income, category, unit, and optionally age, "
                    "flags, date)."),
        "--output": ("Schrijf het advies (met --batch: de besluiten als JSON-regels) atomair naar dit bestand, nooit "
                     "over een invoerbestand.",
                     "Write the advice (with --batch: the decisions as JSON lines) to this file, atomically, never "
                     "over an input file."),
        "--explain": ("Met --batch: neem de volledige uitleg van elk besluit op.",
                      "With --batch: include the full explanation of every decision."),
        "--jobs": ("Met --batch: aantal processen.", "With --batch: processes."),
        "--on-error": ("Met --batch: foute rijen overslaan (gemeld met hun rijnummer) of stoppen bij de eerste.",
                       "With --batch: skip bad rows (reported with their row number) or stop at the first."),
        "--date": ("Verhuurdatum (JJJJ-MM-DD); standaard vandaag.", "Letting date (YYYY-MM-DD); default: today."),
        "--details": ("Tekst: na de samenvatting elke regel met zijn voorwaarden en waarden.",
                      "Text: every rule with its conditions and values after the summary."),
        "--log": ("Voeg het besluit toe aan dit besluitenlogboek (JSON-regels).",
                  "Append the decision to this decision log (JSON lines)."),
    },
    "rank": {
        "": ("Rangschik de kandidaten voor een woning volgens de rangordestrategie van het beleid, met een reden per "
             "kandidaat.",
             "Rank the candidates for a home by the policy's ranking strategy, with a reason per candidate."),
        "--candidates": ("Kandidatenbestand (YAML of JSON), in de volgorde van het portaal.",
                         "Candidates file (YAML or JSON), portal order."),
        "--date": ("Verhuurdatum (JJJJ-MM-DD); standaard vandaag.", "Letting date (YYYY-MM-DD); default: today."),
        "--top": ("Toon de volledige uitleg van zoveel kandidaten bovenaan.",
                  "Show the full explanation of this many top candidates."),
        "--details": ("Tekst: de regels van de bovenste kandidaten met hun voorwaarden en waarden.",
                      "Text: the top candidates' rules with their conditions and values."),
        "--log": ("Voeg één besluit per kandidaat toe aan dit besluitenlogboek.",
                  "Append one decision per candidate to this decision log."),
    },
    "simulate": {
        "": ("Simuleer de verhuringen van de komende jaren onder een beleid: de mix per buurt en complex door de tijd.",
             "Simulate the lettings of the coming years under a policy: the mix per buurt and complex over time."),
        "--years": ("Aantal jaren.", "Years to simulate."),
        "--runs": ("Aantal Monte-Carlo-runs.", "Monte Carlo runs."),
        "--seed": ("Zaad van de toevalsreeksen: hetzelfde zaad geeft op elke uitvoerder dezelfde uitkomst.",
                   "Seed of the random streams: the same seed gives the same result on any executor."),
        "--model": ("Modelbestand (YAML); standaard de simulation.yaml van het beleid.",
                    "Model file (YAML); default: the policy's simulation.yaml."),
        "--occupancy": ("Bezetting bij de start; standaard de occupancy.yaml van het beleid.",
                        "Occupancy at the start; default: the policy's occupancy.yaml."),
        "--start": ("Eerste maand (JJJJ-MM-01); standaard de start van het model, anders volgende maand.",
                    "First month (YYYY-MM-01); default: the model's start, else next month."),
        "--jobs": ("Werkprocessen op deze machine (1: in dit proces).", "Worker processes on this machine (1: in this process)."),
        "--scheduler": ("Draai op Dask: local:N (een cluster van N werkers hier) of tcp://HOST:POORT.",
                        "Run on Dask instead: local:N (a cluster of N workers here) or tcp://HOST:PORT."),
        "--compare": ("Een ander beleid (een map of git:REF) om op dezelfde toevalsreeksen te draaien.",
                      "Another policy (a folder or git:REF) to run on the same streams."),
    },
    "room": {
        "": ("Hoeveel huishoudens van elke categorie er nog passen in een complex, zijn portieken en zijn buurt.",
             "How many more households of each category fit in a complex, its portieken and its buurt."),
        "--complex": ("Id van het complex.", "Complex id."),
    },
    "facts": {
        "": ("De gegevens die een voorwaarde kan noemen (met de parameters en definities van het beleid als dat "
             "gegeven is).",
             "The facts a condition can name (with the policy's parameters and definitions when given)."),
    },
    "test": {
        "": ("Draai de testgevallen van een beleid (zijn map tests/); de laatste regel luidt 'N passed, N failed'.\n\n"
             "Exit 0 als alles slaagt, 1 bij een mislukte test, als er geen test draaide of onder --min-coverage; "
             "2 bij onleesbare invoer.",
             "Run a policy's test cases (its tests/ folder); the last line reads 'N passed, N failed'.\n\n"
             "Exit 0 when all pass, 1 on a failure, on no test run, or under --min-coverage; 2 on unreadable input."),
        "-k": ("Alleen gevallen waarvan de naam deze tekst bevat.", "Only cases whose name contains this text."),
        "--coverage": ("Toon de regeldekking (elke regel gezien terwijl hij aanslaat en terwijl hij niet aanslaat).",
                       "Show rule coverage (each rule seen firing and not firing)."),
        "--min-coverage": ("Faal als de regeldekking onder N procent ligt.",
                           "Fail when rule coverage is below N percent."),
    },
    "init": {
        "": ("Maak een nieuwe beleidsrepository: een voorbeeldbeleid met tests, schema's, pre-commit en CI-voorbeelden.",
             "Create a new policy repository: an example policy with tests, schemas, pre-commit and CI examples."),
        "--name": ("Naam van het nieuwe beleid; zijn id is de naam als slug ('Woonstede Kampen': woonstede-kampen).",
                   "Name of the new policy; its id is the name as a slug ('Woonstede Kampen': woonstede-kampen)."),
        "--install": ("Waar CI magicmix vandaan installeert (requirements.txt): een versie, een wheel-bestand "
                      "(gekopieerd in de repository) of een git+https://-URL; standaard deze versie.",
                      "Where CI installs magicmix from (requirements.txt): a version, a wheel file (copied into the "
                      "repository) or a git+https:// URL; default this version."),
    },
    "report": {
        "": ("Rapporten: van een bewaard besluit of een bewaarde rangorde (report BESTAND.json), of de jaarevaluatie "
             "(report annual).",
             "Reports: of a saved decision or ranking (report FILE.json), or the annual evaluation (report annual)."),
    },
    "report saved": {
        "": ("Een rapport van een bewaard besluit of een bewaarde rangorde (de JSON van evaluate/rank --format json).",
             "A report of a saved decision or ranking (the JSON of evaluate/rank --format json)."),
        "--top": ("Bij een rangorde: de volledige uitleg van zoveel kandidaten.",
                  "For a ranking: full explanations of this many."),
        "--output": ("Schrijf het rapport naar dit bestand (atomair) in plaats van naar de standaarduitvoer.",
                     "Write the report to this file (atomically) instead of standard output."),
    },
    "report annual": {
        "": ("De jaarevaluatie: de mix aan het begin en eind van het jaar, verhuringen, opgevolgd advies, wettelijke "
             "normen.",
             "The annual evaluation: mix at the start and end of the year, lettings, advice followed, legal norms."),
        "--year": ("Het jaar dat geëvalueerd wordt.", "The year to evaluate."),
        "--occupancy": ("Gedateerde bezetting (CSV, .xlsx, YAML of JSON) over het jaar; standaard de occupancy.yaml "
                        "van het beleid.",
                        "Dated occupancy (CSV, .xlsx, YAML or JSON) covering the year; default: the policy's "
                        "occupancy.yaml."),
        "--log": ("Besluitenlogboek: advies opgevolgd of afgeweken, en de wettelijke normen.",
                  "Decision log: advice followed or overridden, and the legal norms."),
        "--public": ("Alleen buurten; aantallen onder de 5 huishoudens onderdrukt.",
                     "Buurten only; counts under 5 households suppressed."),
        "--output": ("Schrijf het rapport naar dit bestand (atomair) in plaats van naar de standaarduitvoer.",
                     "Write the report to this file (atomically) instead of standard output."),
    },
    "status": {
        "": ("Elke buurt, elk complex en elk portiek: aandelen tegen doelen en banden, buiten de band eerst, ruimte per "
             "categorie.",
             "Every buurt, complex and portiek: shares against targets and bands, out of band first, room per "
             "category."),
        "--occupancy": ("Bezetting (CSV, .xlsx, YAML of JSON); standaard occupancy.yaml.",
                        "Occupancy (CSV, .xlsx, YAML or JSON); default: occupancy.yaml."),
        "--date": ("Stand op deze datum (JJJJ-MM-DD); standaard vandaag.",
                   "Status on this date (YYYY-MM-DD); default: today."),
        "--level": ("Alleen deze niveaus (herhaal de optie), of een niveau dat het beleid declareert (wijk); standaard "
                    "alle.",
                    "Only these levels (repeat the option), or a level the policy declares (wijk); default: all."),
        "--only-out": ("Alleen groepen boven of onder hun band of limiet.",
                       "Only groups above or below their band or limit."),
    },
    "diff": {
        "": ("Wat een beleidswijziging doet: wijzigingen in betekenis en de besluiten die omslaan, OUD -> NIEUW.\n\n"
             "OUD en NIEUW zijn beleidsmappen of git-revisies: git:REF (de map van het andere argument op REF) of "
             "git:REF:pad. Exit 0; 1 met --fail-on-change als er iets veranderde; 2 bij foute invoer.",
             "What a policy change does: changes in meaning and the decisions that flip, OLD -> NEW.\n\n"
             "OLD and NEW are policy folders or git revisions: git:REF (the other argument's folder at REF) or "
             "git:REF:path. Exit 0; 1 with --fail-on-change when something changed; 2 on bad input."),
        "--tests": ("Gebruik de testgevallen van beide versies als gevallen.", "Use both versions' test cases as cases."),
        "--log": ("Gebruik ook de besluiten in dit besluitenlogboek.", "Also use the decisions in this decision log."),
        "--cases": ("Gebruik ook huishoudens x woningen uit dit CSV- of JSONL-bestand (batchvorm).",
                    "Also use households x homes from this CSV or JSONL file (batch format)."),
        "--sample": ("Gebruik ook N gevallen, verspreid over woningen, categorieën, huishoudens, datums en "
                     "samenstellingen.",
                     "Also use N cases spread over homes, categories, households, dates and compositions."),
        "--date": ("Datum voor --cases-rijen zonder datum, en de datums die --sample gebruikt.",
                   "Date for --cases rows without one, and the dates --sample uses."),
        "--occupancy": ("Bezetting in plaats van de occupancy.yaml van elke versie.",
                        "Occupancy to use instead of each version's occupancy.yaml."),
        "--limit": ("Gewijzigde besluiten die in detail getoond worden (tekst 20, Markdown 50; JSON toont ze alle).",
                    "Changed decisions shown in detail (text 20, Markdown 50; JSON lists all)."),
        "--fail-on-change": ("Exit 1 als de betekenis veranderde of een besluit omslaat (voor CI).",
                             "Exit 1 when the meaning changed or a decision flips (for CI)."),
    },
    "log": {
        "": ("Het besluitenlogboek: tonen, het besluit van een mens vastleggen (override), opnieuw afspelen.",
             "The decision log: list, record a person's decision (override), replay."),
    },
    "log list": {
        "": ("Eén regel per besluit: id, tijd, woning, huishouden, advies, en het besluit van de mens als dat is "
             "vastgelegd.",
             "One line per decision: id, time, home, household, advice, and the person's decision if recorded."),
    },
    "log override": {
        "": ("Leg het besluit van de mens bij een advies vast in het logboek (alleen toevoegen). Het besluit mag met "
             "een uniek begin van zijn id genoemd worden, de uitkomst met haar id of haar naam ('niet toegestaan').",
             "Record the person's decision for an advice in the log (append-only). The decision may be named by a "
             "unique start of its id, the outcome by its id or its label ('not allowed')."),
        "--outcome": ("Het besluit dat de mens nam.", "The decision the person made."),
        "--reason": ("Waarom (geen namen, geen reden achter een categorie).",
                     "Why (no names, no reason behind a category)."),
        "--log": ("Het besluitenlogboek.", "The decision log."),
    },
    "log replay": {
        "": ("Controleer de hashketen van het logboek, beoordeel elk besluit opnieuw onder de beleidsversie waarmee het "
             "genomen is en toon de besluiten die verschillen; de laatste regel noemt de kop van de keten, om elders "
             "te bewaren.",
             "Check the log's hash chain, re-evaluate every decision under the policy version it was made with,\n"
             "and list any that differ; the last line names the chain's head, to keep elsewhere."),
        "--verify": ("Exit 1 als de hashketen gebroken is of een besluit anders uitvalt.",
                     "Exit 1 when the hash chain is broken or any decision comes out different."),
        "--head": ("Een elders bewaarde kop (sha256:...): het logboek moet die nog bevatten.",
                   "A head kept elsewhere (sha256:...): the log must still contain it."),
    },
    "log review": {
        "": ("Leg het besluit van de mens bij een gelogd advies vast (alleen toevoegen): --followed, of --deviated "
             "--outcome X --reason CODE; wie afwijkt van niet toegestaan noemt de vrije toewijzingsruimte die dat "
             "gebruikt (--free-room).",
             "Record a person's decision on a logged advice (append-only): --followed, or --deviated --outcome X "
             "--reason CODE; a deviation from niet toegestaan names the free allocation room it uses (--free-room)."),
        "--followed": ("Het advies is opgevolgd.", "The advice was followed."),
        "--deviated": ("De mens besloot anders (geef --reason).", "The person decided otherwise (give --reason)."),
        "--outcome": ("De uitkomst die de mens koos; bij --followed het advies zelf (standaard).",
                      "The person's outcome; with --followed the advice itself (the default)."),
        "--reason": ("Code van de reden voor een afwijking (deviation_reasons in policy.yaml).",
                     "Code of the reason for a deviation (policy.yaml deviation_reasons)."),
        "--note": ("Optionele notitie, alleen in het logboek: geen namen, geen details over zorg of gezondheid.",
                   "Optional note, kept in the log only: no names, no health or care details."),
        "--reviewer": ("Pseudoniem id van wie besloot (geen naam).",
                       "Pseudonymous id of the person who decided (no name)."),
        "--free-room": ("Vrije toewijzingsruimte die een afwijking van niet toegestaan gebruikt (free_allocation_room "
                        "in policy.yaml: daeb, passend_toewijzen).",
                        "Free allocation room a deviation from niet toegestaan uses (policy.yaml "
                        "free_allocation_room: daeb, passend_toewijzen)."),
        "--force": ("Leg een afwijking voorbij de vrije ruimte van het jaar toch vast (gemarkeerd).",
                    "Record a deviation beyond the year's free allocation room all the same (marked)."),
        "--policy": ("Beleidsmap waarvan de redencodes gelden; standaard die van het besluit.",
                     "Policy folder whose reason codes apply; default: the decision's own."),
        "--log": ("Het besluitenlogboek.", "The decision log."),
    },
    "log export": {
        "": ("Schrijf de besluiten van de dienst als JSON-lines-logboek (voor `log replay --verify`).",
             "Write the service's decision records as a JSON-lines log (for `log replay --verify`)."),
        "--output": ("Het JSON-lines-bestand om te schrijven (atomair).", "The JSON-lines file to write (atomically)."),
    },
    "placement": {
        "": ("Toon de lege woningen op een datum, de beste plek voor een plaatsing eerst: de wet staat het toe, de "
             "minste mixregels vuren (ter informatie), de meeste ruimte blijft over voor de categorie van het "
             "huishouden.",
             "List the vacant homes on a date, best fit for a placement first: the law allows it, the fewest mix "
             "rules fire (as information), the most room is left for the household's category."),
        "--household": ("Huishoudbestand met zijn route (route: urgentie).",
                        "Household file with its route (route: urgentie)."),
        "--top": ("Aantal woningen om te tonen.", "Homes to show."),
    },
    "serve": {
        "": ("De beslisdienst: REST-API onder /v1/ (zie docs/serve.md); `serve token create --role decide`.",
             "The decision service: REST API under /v1/ (see docs/serve.md); `serve token create --role decide`."),
    },
    "serve run": {
        "": ("Bied het beleid aan over HTTP (uvicorn): evaluate, rank, room, status, besluiten, bezetting.\n\n"
             "Tokens: `magicmix serve token create --role read|decide|admin`.",
             "Serve the policies over HTTP (uvicorn): evaluate, rank, room, status, decisions, occupancy.\n\n"
             "Tokens: `magicmix serve token create --role read|decide|admin`."),
        "--host": ("Adres om op te luisteren (loopback, tenzij anders gezegd).",
                   "Address to listen on (loopback unless told)."),
        "--port": ("Poort om op te luisteren.", "Port to listen on."),
        "--workers": ("Aantal werkprocessen.", "Worker processes."),
        "--state-dir": ("Map van de momentopnamen van beleid en bezetting die besluiten noemen (standaard naast het "
                        "SQLite-bestand, of ./magicmix-state).",
                        "Folder of the policy and occupancy snapshots decisions name (default: beside the SQLite "
                        "file, or ./magicmix-state)."),
        "--trusted-header": ("Single sign-on: vertrouw deze header (gezet door de reverse proxy) als pseudoniem "
                             "gebruikers-id. Alleen achter een proxy die hem bij clients weghaalt.",
                             "Single sign-on: trust this header (set by the reverse proxy) as the pseudonymous user "
                             "id. Only behind a proxy that strips it from clients."),
        "--trusted-role-header": ("Met --trusted-header: de header met de rol van de gebruiker.",
                                  "With --trusted-header: the header carrying the user's role."),
        "--trusted-role": ("Met --trusted-header: de rol als er geen rolheader is.",
                           "With --trusted-header: the role when no role header is given."),
        "--access-log": ("Toegangslog als JSON op stderr.", "JSON access log on stderr."),
        "--extension": ("Koppel ook de routes die deze functie van magicmix teruggeeft (bijv. de webpagina's); "
                        "herhaalbaar.",
                        "Also mount the routes this function of magicmix returns (e.g. the web pages); repeatable."),
    },
    "serve token": {
        "": ("API-tokens (gehasht bewaard; elk met een rol: read, decide of admin).",
             "API tokens (stored hashed; each with a role: read, decide or admin)."),
    },
    "serve token create": {
        "": ("Maak een token en toon het één keer (alleen de hash wordt bewaard).",
             "Create a token and print it once (only its hash is stored)."),
        "--role": ("Rol van het token: read, decide of admin.", "The token's role: read, decide or admin."),
        "--label": ("Waar het token voor is (geen persoonsgegevens).", "What the token is for (no personal data)."),
    },
    "schema": {
        "": ("Toon het JSON Schema van een soort document.", "Print the JSON Schema of a document kind."),
    },
}


def text(command: str, name: str = "", lang: str = "en") -> str | None:
    """The help text of a command ("" ) or of one of its options, in a language; None when the table has none."""
    pair = TEXTS.get(command, {}).get(name) or (COMMON.get(name) if name else None)
    if pair is None:
        return None
    return pair[0] if lang == "nl" else pair[1]


def en(command: str, name: str = "") -> str:
    """The English help text (what click is given); the Dutch one is swapped in when --help is asked in Dutch."""
    found = text(command, name, "en")
    if found is None:
        raise KeyError(f"no help text for {command} {name}")
    return found


__all__ = ["COMMON", "TEXTS", "en", "text"]
