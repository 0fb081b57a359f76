"""The pages' words, Dutch first and English: one table, read by every template through t(key)."""

from __future__ import annotations

LANGS = ("nl", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app": ("magicmix · verhuren", "magicmix · letting"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav": ("Hoofdmenu", "Main menu"),
    "vacatures": ("Vacatures", "Vacancies"), "kandidaten": ("Kandidaten", "Candidates"),
    "buurten": ("Buurten", "Neighbourhoods"), "uitleg": ("Uitleg", "Explanation"), "besluit": ("Besluit", "Decision"),
    "logout": ("Uitloggen", "Log out"), "switch": ("English", "Nederlands"), "switch_lang": ("en", "nl"),
    "switch_label": ("Switch to English", "Schakel naar Nederlands"),
    "login": ("Inloggen", "Log in"), "token": ("Toegangstoken", "Access token"),
    "token_help": ("Het token dat de beheerder u gaf (magicmix serve token create).",
                   "The token your administrator gave you (magicmix serve token create)."),
    "login_bad": ("Dit token is onbekend of ingetrokken.", "This token is unknown or revoked."),
    "login_sso": ("Inloggen met de organisatie-login", "Log in with your organisation's sign-on"),
    "expired": ("Uw sessie is verlopen of u bent niet ingelogd. Log opnieuw in.",
                "Your session has expired or you are not logged in. Please log in again."),
    "search": ("Zoek een woning", "Find a home"),
    "search_help": ("Woning-id, adres (complexnaam) of complex-id", "Home id, address (complex name) or complex id"),
    "search_button": ("Zoeken", "Search"), "choose": ("Kies", "Choose"),
    "no_match": ("Geen woning gevonden voor", "No home found for"),
    "matches": ("Gevonden woningen", "Homes found"), "more_matches": ("Verfijn uw zoekopdracht: er zijn meer woningen.",
                                                                    "Refine your search: there are more homes."),
    "letting_date": ("Datum van toewijzing", "Letting date"),
    "date_help": ("Bijvoorbeeld 1-6-2025 of 2025-06-01", "For example 1-6-2025 or 2025-06-01"),
    "home": ("Woning", "Home"), "complex": ("Complex", "Complex"), "portiek": ("Portiek", "Portiek"),
    "buurt": ("Buurt", "Buurt"), "rooms": ("kamers", "rooms"), "rent": ("huur", "rent"),
    "chosen": ("Gekozen woning", "Chosen home"), "mix_room": ("Mix en ruimte", "Mix and room"),
    "category": ("Categorie", "Category"), "count": ("Aantal", "Count"), "share": ("Aandeel", "Share"),
    "band": ("Band", "Band"), "room": ("Ruimte", "Room"), "limit": ("Maximum", "Maximum"),
    "not_judged": ("niet beoordeeld", "not judged"), "households": ("huishoudens", "households"),
    "no_home": ("Kies eerst een woning bij Vacatures.", "First choose a home under Vacancies."),
    "upload": ("Kandidatenlijst uploaden", "Upload the candidate list"),
    "upload_help": ("Export van het woningportaal: CSV (komma of puntkomma), XLSX, YAML of JSON, met de kolommen "
                    "id, size, income, category (en eventueel age, older, route).",
                    "The housing portal's export: CSV (comma or semicolon), XLSX, YAML or JSON, with the columns "
                    "id, size, income, category (and optionally age, older, route)."),
    "file": ("Bestand", "File"), "upload_button": ("Uploaden en rangschikken", "Upload and rank"),
    "upload_refused": ("Het bestand is niet gelezen; er is niets veranderd:", "The file was not read; nothing changed:"),
    "add": ("Huishouden toevoegen", "Add a household"),
    "add_or_replace": ("Kandidaten uploaden of toevoegen", "Upload or add candidates"), "add_button": ("Toevoegen", "Add"),
    "hh_id": ("Huishouden-id (pseudoniem)", "Household id (pseudonymous)"),
    "hh_size": ("Aantal personen", "Number of persons"), "hh_income": ("Inkomen per jaar (€)", "Yearly income (€)"),
    "hh_income_help": ("Nederlandse notatie: 24.500 of 24500,00", "Dutch notation: 24.500 or 24500,00"),
    "hh_age": ("Leeftijd (niet verplicht)", "Age (optional)"),
    "hh_older": ("Ouder huishouden (AOW-leeftijd bereikt)", "Older household (AOW age reached)"),
    "hh_route": ("Plaatsingsroute", "Placement route"), "no_route": ("Geen (regulier)", "None (regular)"),
    "choose_category": ("Kies…", "Choose…"),
    "form_refused": ("Verbeter de gemarkeerde velden.", "Correct the marked fields."),
    "clear": ("Lijst leegmaken", "Clear the list"),
    "duplicate": ("Dit huishouden staat al in de lijst.", "This household is already in the list."),
    "ranking": ("Rangorde", "Ranking"), "rank": ("Rang", "Rank"), "portal": ("Portaal", "Portal"),
    "household": ("Huishouden", "Household"), "advice": ("Advies", "Advice"), "reason": ("Reden", "Reason"),
    "lives_in_stock": ("Woont nu in {home}: het advies telt die woning nog als bewoond (doorstroming wordt nog niet "
                       "verrekend) en kan strenger zijn dan nodig.",
                       "Lives in {home} now: the advice still counts that home as occupied (a move within the stock is "
                       "not yet taken into account) and may be stricter than it should be."),
    "dropped": ("Valt af", "Dropped"), "no_candidates": ("Nog geen kandidaten.", "No candidates yet."),
    "open_explanation": ("Uitleg", "Explanation"), "open_decision": ("Besluiten", "Decide"),
    "persons": ("personen", "persons"), "candidates_n": ("kandidaten", "candidates"),
    "summary": ("Samenvatting", "Summary"), "deciding": ("Beslissend", "Deciding"),
    "changes": ("Wat verandert de uitkomst", "What would change the outcome"),
    "full_report": ("Volledige uitleg", "Full explanation"), "back_ranking": ("Terug naar de rangorde", "Back to the ranking"),
    "decide_title": ("Besluit over", "Decision on"),
    "follow": ("Advies volgen", "Follow the advice"), "deviate": ("Afwijken van het advies", "Deviate from the advice"),
    "choice": ("Uw besluit", "Your decision"), "outcome": ("Uitkomst van uw besluit", "Outcome of your decision"),
    "reason_code": ("Reden van afwijken", "Reason for deviating"), "choose_reason": ("Kies een reden…", "Choose a reason…"),
    "note": ("Toelichting (intern, niet in rapportages)", "Note (internal, not in shared reports)"),
    "free_room": ("Vrije toewijzingsruimte", "Free allocation room"),
    "free_room_help": ("Nodig als u afwijkt van een wettelijke uitkomst.", "Needed when you deviate from a legal outcome."),
    "none_chosen": ("Geen", "None"), "next": ("Verder", "Next"),
    "confirm_title": ("Bevestig uw besluit", "Confirm your decision"), "confirm": ("Bevestigen en vastleggen", "Confirm and record"),
    "cancel": ("Terug", "Back"),
    "means_follow": ("U volgt het advies van magicmix ({advice}). Dit wordt vastgelegd met uw medewerker-id.",
                     "You follow magicmix's advice ({advice}). This is recorded with your staff id."),
    "means_deviate": ("U wijkt af van het advies ({advice}) en besluit {outcome}, met reden: {reason}. "
                      "De afwijking wordt vastgelegd met de reden en uw medewerker-id, en telt mee in de "
                      "jaarrapportage van afwijkingen.",
                      "You deviate from the advice ({advice}) and decide {outcome}, for the reason: {reason}. "
                      "The deviation is recorded with its reason and your staff id, and counts in the "
                      "yearly report of deviations."),
    "means_legal": ("Het advies is de wettelijke uitkomst niet toegestaan. Deze toewijzing gebruikt de {room} "
                    "({percent} van de toewijzingen per jaar): in {year} zijn daarvan {used} van de {allowed} "
                    "afwijkingen gebruikt (op {lettings} toewijzingen); met deze erbij {after}.",
                    "The advice is the legal outcome not allowed. This letting uses the {room} ({percent} of the "
                    "year's lettings): in {year}, {used} of its {allowed} deviations are used (of {lettings} "
                    "lettings); with this one {after}."),
    "beyond_room": ("Daarmee gaat u over de vrije toewijzingsruimte van {year} heen: het jaarverslag toont dit als "
                    "overschrijding. Bevestig alleen als dat de bedoeling is.",
                    "This goes beyond the free allocation room of {year}: the annual report shows it as beyond the "
                    "room. Confirm only if that is intended."),
    "recorded": ("Besluit vastgelegd", "Decision recorded"), "decided": ("besluit vastgelegd", "decision recorded"), "decision_id": ("Besluit-id", "Decision id"),
    "review_id": ("Beoordeling-id", "Review id"),
    "status_title": ("Status per buurt en complex", "Status per buurt and complex"),
    "out_first": ("Buiten de band eerst, de grootste afwijking bovenaan.", "Out of band first, the largest deviation on top."),
    "state": ("Stand", "State"), "above": ("boven de band", "above the band"), "below": ("onder de band", "below the band"),
    "both": ("boven en onder de band", "above and below the band"), "in_band": ("binnen de band", "within the band"),
    "unjudged": ("niet beoordeeld", "not judged"), "level": ("Niveau", "Level"), "name": ("Naam", "Name"),
    "occupied": ("bewoond", "occupied"), "of": ("van", "of"), "date": ("Datum", "Date"), "policy": ("Beleid", "Policy"),
    "overview": ("Overzicht", "Overview"), "deviation": ("Afwijking", "Deviation"), "details": ("Per groep", "Per group"),
    "show_date": ("Toon", "Show"), "chart_alt": ("Aandeel per categorie tegen de band; de tabel eronder geeft dezelfde cijfers.",
                                                 "Share per category against its band; the table below gives the same figures."),
    "not_found": ("Deze pagina bestaat niet.", "This page does not exist."),
    "not_found_title": ("Niet gevonden", "Not found"),
    "error": ("Er ging iets mis", "Something went wrong"), "error_detail": ("{detail}", "{detail}"), "refused": ("Geweigerd", "Refused"),
    "csrf": ("Dit formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw.",
             "This form has expired or does not come from this site. Reload the page."),
    "forbidden_role": ("Uw token mag geen besluiten vastleggen (rol {role}).",
                       "Your token may not record decisions (role {role})."),
    "footer": ("magicmix adviseert; een medewerker beslist.", "magicmix advises; a person decides."),
    "logged_in_as": ("Ingelogd als", "Logged in as"),
    "reviewer": ("Medewerker-id (pseudoniem)", "Staff id (pseudonymous)"),
    "reviewer_help": ("Uw eigen pseudonieme id, bijvoorbeeld mw-0042; het komt in elk besluit dat u vastlegt.",
                      "Your own pseudonymous id, for example mw-0042; it is recorded with every decision you take."),
    "no_reasons": ("Dit beleid noemt geen redenen van afwijken (deviation_reasons in policy.yaml): afwijken kan hier niet.",
                   "This policy names no deviation reasons (deviation_reasons in policy.yaml): deviating is not possible here."),
}


def translate(key: str, lang: str, **args) -> str:
    """The text for a key in a language, with {name} arguments filled in."""
    nl, en = TEXT[key]
    text = en if lang == "en" else nl
    return text.format(**args) if args else text
