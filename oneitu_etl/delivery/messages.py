"""Every string the delivery page shows, in English and French.

:func:`text` looks a message up by key and fills its fields. The validator writes its
problems in English; :func:`issue_message` gives them in French by recognising the
validator's sentences (:data:`_FRENCH_ISSUES`), and leaves a sentence it does not know in
English rather than guess. The page's own catalogue is this module: the report's Babel
catalogues under ``reports/locale`` belong to the report.
"""

from __future__ import annotations

import re

from oneitu_etl.issues import Issue

LANGUAGES = ("en", "fr")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "One ITU — data delivery",
        "nav_upload": "Deliver a file",
        "nav_status": "Deliveries and report",
        "nav_airflow": "Airflow",
        "signed_in_as": "Signed in as {user}",
        "language": "Language",
        "upload_title": "Deliver a file",
        "upload_intro": (
            "Choose the financial year and the file: the workbook financial_statements.xlsx, "
            "or one of the contract's CSV files (Finance's tables, a unit's activities or "
            "narratives, staff.csv, membership.csv, council_document.csv). The file is checked "
            "at once with the same rules as the report; a file with errors is not delivered."
        ),
        "field_year": "Financial year",
        "field_file": "File (.xlsx or .csv)",
        "field_language": "Language of the messages",
        "file_help": "At most {limit}. The file's kind is recognised from its content.",
        "submit": "Check and deliver",
        "role_denied": (
            "Your account ({user}, role {roles}) may view deliveries but not deliver files. "
            "Delivering needs one of the roles: {allowed}."
        ),
        "outcome_delivered": ("Delivered: {kind} for {year} is now {path} in the landing zone."),
        "replaced": "It replaces the file delivered earlier at this place, which no longer counts.",
        "outcome_unchanged": (
            "This file is identical to the one already delivered as {path}: nothing changed."
        ),
        "outcome_rejected": (
            "Not delivered: {errors} error(s) found in the file. Correct them and upload again."
        ),
        "outcome_refused": "Not delivered: {reason}",
        "warnings_only": "{warnings} warning(s): the file is delivered, but please read them.",
        "event_emitted": (
            "The report for {year} has been requested; its state shows on the status page."
        ),
        "event_failed": (
            "The file is delivered, but the report run could not be requested ({detail}). "
            "The ingestion DAG will pick the file up within 30 minutes."
        ),
        "issues_caption": "Problems found in the file",
        "context_caption": "Problems in the year's other files (they do not stop this delivery)",
        "col_file": "File",
        "col_sheet": "Sheet",
        "col_row": "Row",
        "col_column": "Column",
        "col_value": "Value",
        "col_message": "Problem",
        "col_severity": "Severity",
        "severity_error": "error",
        "severity_warning": "warning",
        "status_title": "Deliveries and report for {year}",
        "choose_year": "Show year",
        "show": "Show",
        "report_heading": "Report",
        "report_none": "No report has been built for {year} yet.",
        "report_published": "Published on {date}.",
        "report_blocked": "Blocked on {date}: {errors} error(s); nothing was published.",
        "report_files": "Published files:",
        "airflow_run": "Latest run of {dag}: {state} (requested {when}).",
        "airflow_run_none": "No run of {dag} yet.",
        "airflow_run_unknown": "The state of the report runs is not available.",
        "deliveries_heading": "Deliveries in the warehouse",
        "deliveries_none": "No delivery of {year} has been loaded yet.",
        "uploads_heading": "Uploads through this page",
        "uploads_none": "No upload for {year} yet.",
        "col_path": "File",
        "col_kind": "Kind",
        "col_when": "When",
        "col_who": "Who",
        "col_hash": "SHA-256",
        "col_outcome": "Validation outcome",
        "col_rows": "Rows loaded / quarantined",
        "col_state": "State",
        "col_sent_as": "Sent as",
        "col_event": "Report run",
        "state_current": "current",
        "state_superseded": "superseded",
        "state_pending": "waiting to be loaded",
        "state_loaded": "loaded",
        "delivery_loaded": "loaded",
        "delivery_rejected": "rejected",
        "delivery_pending": "pending",
        "upload_delivered": "delivered",
        "upload_unchanged": "unchanged",
        "upload_rejected": "rejected ({errors} errors)",
        "upload_refused": "refused",
        "event_emitted_short": "requested",
        "event_failed_short": "not requested",
        "unknown_user": "—",
        "kind_financial_statements": "financial statements (workbook)",
        "kind_financial_performance": "statement of financial performance",
        "kind_budget_comparison": "budget comparison",
        "kind_expense_allocation": "expense allocation",
        "kind_expense_ledger": "expense ledger",
        "kind_activities": "activities",
        "kind_indicator_definitions": "indicator definitions",
        "kind_indicator_values": "indicator values",
        "kind_budget_allocation": "budget allocation (planned resources)",
        "kind_budget_reconciliation": "budget reconciliation (IPSAS 24)",
        "kind_narratives": "narratives",
        "kind_staff": "staff figures",
        "kind_membership": "membership figures",
        "kind_council_document": "Council document",
        # refusals
        "no_file": "no file was chosen.",
        "empty": "the file is empty.",
        "too_large": "the file is too large: the limit is {limit}.",
        "old_excel": (
            "this is an old Excel 97-2003 (.xls) file; save it as an Excel Workbook (.xlsx)."
        ),
        "damaged_zip": "the file looks like a workbook but is damaged or truncated.",
        "not_workbook": "this zip file is not an Excel workbook (no xl/workbook.xml).",
        "binary": (
            "this is not a workbook or a text CSV file (binary content: {what}); "
            "only .xlsx and .csv files are accepted."
        ),
        "encoding": "the text is encoded as {encoding}; save the file as CSV UTF-8.",
        "unknown_table": (
            "the header row ({columns}) matches none of the contract's files; "
            "see the column names in the data contract."
        ),
        "ambiguous_table": (
            "the header row ({columns}) could belong to several contract files ({kinds}); "
            "use the contract's column names."
        ),
        "bad_year": "{year} is not a year this page accepts.",
        "csrf": (
            "the form has expired or did not come from this page. Reload the page and try again."
        ),
        "not_local": (
            "uploads need a landing zone on a local or mounted folder; this one is {landing}."
        ),
        "not_logged_in": "You are not signed in, or your session has expired. Please sign in.",
        "sign_in": "Sign in",
        "forbidden_title": "Not allowed",
        "error_title": "Error",
    },
    "fr": {
        "app_title": "One ITU — livraison des données",
        "nav_upload": "Livrer un fichier",
        "nav_status": "Livraisons et rapport",
        "nav_airflow": "Airflow",
        "signed_in_as": "Connecté·e : {user}",
        "language": "Langue",
        "upload_title": "Livrer un fichier",
        "upload_intro": (
            "Choisissez l'exercice et le fichier : le classeur financial_statements.xlsx, ou "
            "l'un des fichiers CSV du contrat (les tableaux des Finances, les activités ou les "
            "textes d'une unité, staff.csv, membership.csv, council_document.csv). Le fichier "
            "est vérifié immédiatement avec les mêmes règles que le rapport ; un fichier "
            "comportant des erreurs n'est pas livré."
        ),
        "field_year": "Exercice",
        "field_file": "Fichier (.xlsx ou .csv)",
        "field_language": "Langue des messages",
        "file_help": "Au plus {limit}. Le type du fichier est reconnu d'après son contenu.",
        "submit": "Vérifier et livrer",
        "role_denied": (
            "Votre compte ({user}, rôle {roles}) permet de consulter les livraisons, mais pas "
            "de livrer des fichiers. Il faut l'un des rôles : {allowed}."
        ),
        "outcome_delivered": (
            "Livré : {kind} de {year} est désormais {path} dans la zone de dépôt."
        ),
        "replaced": "Il remplace le fichier livré auparavant à cet endroit, qui ne compte plus.",
        "outcome_unchanged": (
            "Ce fichier est identique à celui déjà livré sous {path} : rien n'a changé."
        ),
        "outcome_rejected": (
            "Non livré : {errors} erreur(s) dans le fichier. Corrigez-les et livrez-le à nouveau."
        ),
        "outcome_refused": "Non livré : {reason}",
        "warnings_only": "{warnings} avertissement(s) : le fichier est livré, mais lisez-les.",
        "event_emitted": (
            "Le rapport {year} a été demandé ; son état s'affiche sur la page des livraisons."
        ),
        "event_failed": (
            "Le fichier est livré, mais l'exécution du rapport n'a pas pu être demandée "
            "({detail}). Le DAG d'ingestion prendra le fichier en compte d'ici 30 minutes."
        ),
        "issues_caption": "Problèmes trouvés dans le fichier",
        "context_caption": (
            "Problèmes dans les autres fichiers de l'exercice (ils n'empêchent pas cette livraison)"
        ),
        "col_file": "Fichier",
        "col_sheet": "Feuille",
        "col_row": "Ligne",
        "col_column": "Colonne",
        "col_value": "Valeur",
        "col_message": "Problème",
        "col_severity": "Gravité",
        "severity_error": "erreur",
        "severity_warning": "avertissement",
        "status_title": "Livraisons et rapport {year}",
        "choose_year": "Afficher l'exercice",
        "show": "Afficher",
        "report_heading": "Rapport",
        "report_none": "Aucun rapport n'a encore été produit pour {year}.",
        "report_published": "Publié le {date}.",
        "report_blocked": "Bloqué le {date} : {errors} erreur(s) ; rien n'a été publié.",
        "report_files": "Fichiers publiés :",
        "airflow_run": "Dernière exécution de {dag} : {state} (demandée le {when}).",
        "airflow_run_none": "Aucune exécution de {dag} pour l'instant.",
        "airflow_run_unknown": "L'état des exécutions du rapport n'est pas disponible.",
        "deliveries_heading": "Livraisons dans l'entrepôt",
        "deliveries_none": "Aucune livraison de {year} n'a encore été chargée.",
        "uploads_heading": "Fichiers envoyés par cette page",
        "uploads_none": "Aucun envoi pour {year} pour l'instant.",
        "col_path": "Fichier",
        "col_kind": "Type",
        "col_when": "Date",
        "col_who": "Par",
        "col_hash": "SHA-256",
        "col_outcome": "Résultat de la validation",
        "col_rows": "Lignes chargées / en quarantaine",
        "col_state": "État",
        "col_sent_as": "Envoyé sous le nom",
        "col_event": "Exécution du rapport",
        "state_current": "en vigueur",
        "state_superseded": "remplacée",
        "state_pending": "en attente de chargement",
        "state_loaded": "chargée",
        "delivery_loaded": "chargée",
        "delivery_rejected": "rejetée",
        "delivery_pending": "en attente",
        "upload_delivered": "livré",
        "upload_unchanged": "inchangé",
        "upload_rejected": "rejeté ({errors} erreurs)",
        "upload_refused": "refusé",
        "event_emitted_short": "demandée",
        "event_failed_short": "non demandée",
        "unknown_user": "—",
        "kind_financial_statements": "états financiers (classeur)",
        "kind_financial_performance": "état de la performance financière",
        "kind_budget_comparison": "comparaison budgétaire",
        "kind_expense_allocation": "répartition des charges",
        "kind_expense_ledger": "grand livre des charges",
        "kind_activities": "activités",
        "kind_indicator_definitions": "définitions des indicateurs",
        "kind_indicator_values": "valeurs des indicateurs",
        "kind_budget_allocation": "répartition du budget (ressources prévues)",
        "kind_budget_reconciliation": "rapprochement budgétaire (IPSAS 24)",
        "kind_narratives": "textes des unités",
        "kind_staff": "effectifs du personnel",
        "kind_membership": "chiffres des membres",
        "kind_council_document": "document du Conseil",
        "no_file": "aucun fichier n'a été choisi.",
        "empty": "le fichier est vide.",
        "too_large": "le fichier est trop volumineux : la limite est de {limit}.",
        "old_excel": (
            "c'est un ancien fichier Excel 97-2003 (.xls) ; enregistrez-le comme Classeur "
            "Excel (.xlsx)."
        ),
        "damaged_zip": "le fichier ressemble à un classeur mais il est endommagé ou tronqué.",
        "not_workbook": "ce fichier zip n'est pas un classeur Excel (pas de xl/workbook.xml).",
        "binary": (
            "ce n'est ni un classeur ni un fichier CSV texte (contenu binaire : {what}) ; "
            "seuls les fichiers .xlsx et .csv sont acceptés."
        ),
        "encoding": "le texte est encodé en {encoding} ; enregistrez le fichier en CSV UTF-8.",
        "unknown_table": (
            "la ligne d'en-tête ({columns}) ne correspond à aucun fichier du contrat ; "
            "voyez les noms de colonnes dans le contrat de données."
        ),
        "ambiguous_table": (
            "la ligne d'en-tête ({columns}) pourrait appartenir à plusieurs fichiers du contrat "
            "({kinds}) ; utilisez les noms de colonnes du contrat."
        ),
        "bad_year": "{year} n'est pas un exercice accepté par cette page.",
        "csrf": (
            "le formulaire a expiré ou ne provient pas de cette page. Rechargez la page et "
            "réessayez."
        ),
        "not_local": (
            "l'envoi de fichiers exige une zone de dépôt sur un dossier local ou monté ; "
            "celle-ci est {landing}."
        ),
        "not_logged_in": "Vous n'êtes pas connecté·e, ou votre session a expiré. Connectez-vous.",
        "sign_in": "Se connecter",
        "forbidden_title": "Accès refusé",
        "error_title": "Erreur",
    },
}


def language(value: str | None) -> str:
    """A supported language code: ``value`` if it is one, else English."""
    return value if value in LANGUAGES else "en"


def text(lang: str, key: str, **fields: object) -> str:
    """The message ``key`` in ``lang``, with its fields filled."""
    template = MESSAGES[language(lang)].get(key) or MESSAGES["en"][key]
    return template.format(**fields) if fields else template


def size_text(lang: str, size: int) -> str:
    """A size for people: ``50 MB`` / ``50 Mo``."""
    units = ("bytes", "KB", "MB", "GB") if lang != "fr" else ("octets", "Ko", "Mo", "Go")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            shown = f"{value:.0f}" if unit == units[0] or value == int(value) else f"{value:.1f}"
            if lang == "fr":
                shown = shown.replace(".", ",")
            return f"{shown} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


#: The validator's English sentences and their French, most specific first. A pattern
#: that no longer matches what the validator writes leaves the sentence in English; the
#: tests run the validator on bad files to keep the two in step.
_FRENCH_ISSUES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), french)
    for pattern, french in (
        (
            r"^value is missing; an amount in CHF is required$",
            "valeur manquante ; un montant en CHF est obligatoire",
        ),
        (
            r"^value is missing; (?P<what>.+) is required$",
            "valeur manquante ; « {what} » est obligatoire",
        ),
        (
            r'^"(?P<v>.*)" is not a number; write amounts with a decimal point and no .*$',
            "« {v} » n'est pas un nombre ; écrivez les montants avec un point décimal, sans "
            "séparateur de milliers",
        ),
        (
            r'^"(?P<v>.*)" is not a number; expected an amount in CHF such as 1234\.56$',
            "« {v} » n'est pas un nombre ; montant en CHF attendu, par exemple 1234.56",
        ),
        (
            r"^(?P<v>.*) has more than 2 decimals; amounts are CHF with at most 2 decimals$",
            "{v} a plus de 2 décimales ; les montants en CHF en ont au plus 2",
        ),
        (
            r"^(?P<v>.*) is negative; amounts must be >= 0$",
            "{v} est négatif ; les montants doivent être >= 0",
        ),
        (r'^"(?P<v>.*)" is not a whole number$', "« {v} » n'est pas un nombre entier"),
        (r"^(?P<v>.*) is below the minimum of (?P<m>.*)$", "{v} est inférieur au minimum de {m}"),
        (r"^(?P<v>.*) is above the maximum of (?P<m>.*)$", "{v} est supérieur au maximum de {m}"),
        (
            r'^"(?P<v>.*)" is not a number; use a decimal point \(e\.g\. 67\.5\)$',
            "« {v} » n'est pas un nombre ; utilisez un point décimal (par ex. 67.5)",
        ),
        (
            r"^(?P<v>\S+) looks like an Excel date serial number \((?P<d>[^)]*)\); enter the date "
            r"as YYYY-MM-DD$",
            "{v} ressemble à un numéro de série de date Excel ({d}) ; saisissez la date au "
            "format AAAA-MM-JJ",
        ),
        (
            r"^(?P<v>.*) looks like an Excel date serial number; enter the date as YYYY-MM-DD$",
            "{v} ressemble à un numéro de série de date Excel ; saisissez la date au format "
            "AAAA-MM-JJ",
        ),
        (
            r'^"(?P<v>.*)" is not a date; expected YYYY-MM-DD$',
            "« {v} » n'est pas une date ; format attendu AAAA-MM-JJ",
        ),
        (r"^(?P<v>.*) is not a valid calendar date$", "{v} n'est pas une date du calendrier"),
        (
            r'^"(?P<v>.*)" belongs to (?P<p>\S+), not to (?P<q>\S+) \(the plan of (?P<y>\d+)\); '
            r"expected one of (?P<codes>.*)$",
            "« {v} » appartient au plan {p}, pas au plan {q} (celui de {y}) ; codes attendus : "
            "{codes}",
        ),
        (
            r'^"(?P<v>.*)" is a goal; allocate to one of its thematic priorities or to an '
            r"enabler; expected one of (?P<codes>.*)$",
            "« {v} » est un but ; répartissez sur l'une de ses priorités thématiques ou sur un "
            "catalyseur ; codes attendus : {codes}",
        ),
        (
            r"^the file has only its header row; expected data rows from row 2$",
            "le fichier ne contient que la ligne d'en-tête ; des données sont attendues à partir "
            "de la ligne 2",
        ),
        (
            r"^the sheet has only its header row; expected data rows from row 2$",
            "la feuille ne contient que la ligne d'en-tête ; des données sont attendues à partir "
            "de la ligne 2",
        ),
        (
            r'^"(?P<v>.*)" is not a known (?P<what>.+); expected one of (?P<codes>.*)$',
            "« {v} » n'est pas un code connu ({what}) ; codes attendus : {codes}",
        ),
        (
            r'^"(?P<u>.*)" in "(?P<v>.*)" is not a known (?P<what>.+)$',
            "« {u} » dans « {v} » n'est pas un code connu ({what})",
        ),
        (
            r"^duplicate activity_id (?P<v>.*); first given in (?P<f>.*) row (?P<r>\d+)$",
            "activity_id {v} en double ; déjà donné dans {f}, ligne {r}",
        ),
        (
            r"^duplicate (?P<what>\w+(?: and \w+)*) (?P<v>.*); first given at row (?P<r>\d+)$",
            "{what} {v} en double ; déjà donné à la ligne {r}",
        ),
        (
            r"^duplicate (?P<what>\w+(?: and \w+)*) (?P<v>.*); first given in (?P<where>.*)$",
            "{what} {v} en double ; déjà donné dans {where}",
        ),
        (
            r'^line_type "(?P<v>.*)" does not match line_code (?P<c>\S+), which is a (?P<t>\w+) '
            r"line$",
            "line_type « {v} » ne correspond pas à line_code {c}, qui est une ligne de type {t}",
        ),
        (
            r"^(?P<v>.*) is not an expense line; the ledger posts expenses only$",
            "{v} n'est pas une ligne de charges ; le grand livre ne comptabilise que des charges",
        ),
        (
            r"^start_date (?P<v>.*) is after the financial year (?P<y>\d+)$",
            "start_date {v} est postérieure à l'exercice {y}",
        ),
        (r"^(?P<v>.*) is outside the financial year (?P<y>\d+)$", "{v} est hors de l'exercice {y}"),
        (
            r"^end_date (?P<v>.*) is before start_date (?P<s>.*)$",
            "end_date {v} est antérieure à start_date {s}",
        ),
        (
            r"^women_participants (?P<v>.*) exceeds participants (?P<p>.*)$",
            "women_participants {v} dépasse participants {p}",
        ),
        (
            r"^target_year (?P<v>.*) must be after baseline_year (?P<b>.*)$",
            "target_year {v} doit être postérieure à baseline_year {b}",
        ),
        (
            r'^indicator "(?P<v>.*)" is not defined .*$',
            "l'indicateur « {v} » n'est pas défini dans indicator_definitions.csv (ou sa "
            "définition est en quarantaine)",
        ),
        (
            r"^year (?P<v>\S+) is not the folder's year (?P<y>\d+); the row is ignored$",
            "l'année {v} n'est pas celle du dossier ({y}) ; la ligne est ignorée",
        ),
        (
            r'^missing required column "(?P<c>.*)"; the columns are: (?P<all>.*)$',
            "colonne obligatoire « {c} » absente ; les colonnes sont : {all}",
        ),
        (r'^extra column "(?P<c>.*)" is ignored$', "la colonne supplémentaire « {c} » est ignorée"),
        (r'^column "(?P<c>.*)" appears twice$', "la colonne « {c} » apparaît deux fois"),
        (
            r'^missing sheet "(?P<s>.*)"; the workbook has: (?P<all>.*)$',
            "feuille « {s} » absente ; le classeur contient : {all}",
        ),
        (
            r"^the sheet is empty or row 1 is empty; expected the header row in row 1$",
            "la feuille est vide ou sa ligne 1 est vide ; l'en-tête est attendu en ligne 1",
        ),
        (
            r"^formula (?P<f>.*) has no computed value; open and save the workbook in Excel$",
            "la formule {f} n'a pas de valeur calculée ; ouvrez et enregistrez le classeur dans "
            "Excel",
        ),
        (
            r"^workbook contains macros; save it as a plain \.xlsx$",
            "le classeur contient des macros ; enregistrez-le comme simple .xlsx",
        ),
        (
            r"^workbook has links to external workbooks; paste the values instead$",
            "le classeur contient des liaisons vers d'autres classeurs ; collez plutôt les valeurs",
        ),
        (
            r"^columns are separated by semicolons; the contract requires commas$",
            "les colonnes sont séparées par des points-virgules ; le contrat exige des virgules",
        ),
        (
            r"^columns are separated by tabs; the contract requires commas$",
            "les colonnes sont séparées par des tabulations ; le contrat exige des virgules",
        ),
        (
            r"^(?P<rule>R1-\w+) failed: the (?P<n>\w+) lines sum to (?P<l>\S+) but (?P<t>\w+) is "
            r"(?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "{rule} non respectée : les lignes ({n}) totalisent {l} mais {t} vaut {r} (écart {d})",
        ),
        (
            r"^(?P<rule>R1-\w+) failed: the (?P<t>\w+) line is missing; both total lines must be "
            r"present$",
            "{rule} non respectée : la ligne {t} manque ; les deux lignes de total sont "
            "obligatoires",
        ),
        (
            r"^R2 failed: the actual_chf of budget_comparison sum to (?P<l>\S+) but TOTAL_EXPENSES "
            r"is (?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "R2 non respectée : les actual_chf de budget_comparison totalisent {l} mais "
            "TOTAL_EXPENSES vaut {r} (écart {d})",
        ),
        (
            r"^R3 failed for (?P<u>\S+): allocations sum to (?P<l>\S+) but actual_chf is (?P<r>\S+) "
            r"\(difference (?P<d>\S+)\)$",
            "R3 non respectée pour {u} : les répartitions totalisent {l} mais actual_chf vaut {r} "
            "(écart {d})",
        ),
        (
            r"^R3 failed for (?P<u>\S+): it has allocations \((?P<l>\S+)\) but no row in "
            r"budget_comparison$",
            "R3 non respectée pour {u} : des charges sont réparties ({l}) mais budget_comparison "
            "n'a pas de ligne pour cette unité",
        ),
        (
            r"^R3 failed: all allocations sum to (?P<l>\S+) but TOTAL_EXPENSES is (?P<r>\S+) "
            r"\(difference (?P<d>\S+)\)$",
            "R3 non respectée : toutes les répartitions totalisent {l} mais TOTAL_EXPENSES vaut "
            "{r} (écart {d})",
        ),
        (
            r"^L1 failed for (?P<u>\S+) (?P<c>\S+): ledger postings sum to (?P<l>\S+) but "
            r"expense_allocation gives (?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "L1 non respectée pour {u} {c} : les écritures du grand livre totalisent {l} mais "
            "expense_allocation donne {r} (écart {d})",
        ),
        (
            r"^L2 failed for (?P<c>\S+): ledger postings sum to (?P<l>\S+) but the statement gives "
            r"(?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "L2 non respectée pour {c} : les écritures du grand livre totalisent {l} mais l'état "
            "financier donne {r} (écart {d})",
        ),
        # (v2) contract version 2
        (
            r"^R2 failed: the actual_chf of budget_comparison plus the reconciling items sum to "
            r"(?P<l>\S+) but TOTAL_EXPENSES is (?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "R2 non respectée : les actual_chf de budget_comparison et les éléments de "
            "rapprochement totalisent {l} mais TOTAL_EXPENSES vaut {r} (écart {d})",
        ),
        (
            r"^R3 failed: all allocations plus the reconciling items sum to (?P<l>\S+) but "
            r"TOTAL_EXPENSES is (?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "R3 non respectée : toutes les répartitions et les éléments de rapprochement "
            "totalisent {l} mais TOTAL_EXPENSES vaut {r} (écart {d})",
        ),
        (
            r"^L2 failed for (?P<c>\S+): ledger postings plus its items sum to (?P<l>\S+) but the "
            r"statement gives (?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "L2 non respectée pour {c} : les écritures du grand livre et les éléments de "
            "rapprochement de la ligne totalisent {l} mais l'état financier donne {r} (écart {d})",
        ),
        (
            r"^R4 failed for (?P<u>\S+): its budget_allocation rows sum to (?P<l>\S+) but its "
            r"(?P<c>\w+) in budget_comparison is (?P<r>\S+) \(difference (?P<d>\S+)\)$",
            "R4 non respectée pour {u} : ses lignes de budget_allocation totalisent {l} mais son "
            "{c} dans budget_comparison vaut {r} (écart {d})",
        ),
        (
            r"^R4 failed for (?P<u>\S+): it has budget_allocation rows \((?P<l>\S+) (?P<w>\w+)\) "
            r"but no row in budget_comparison$",
            "R4 non respectée pour {u} : budget_allocation a des lignes ({l}, {w}) mais "
            "budget_comparison n'a pas de ligne pour cette unité",
        ),
        (
            r"^(?P<f>\S+) delivered beside the workbook; deliver it as the sheet (?P<s>\S+) of "
            r"(?P<w>\S+), or deliver the three CSVs$",
            "{f} livré à côté du classeur ; livrez-le comme feuille {s} de {w}, ou livrez les "
            "trois CSV",
        ),
        (
            r"^(?P<v>.*) is not an expense line; each reconciling item adjusts one expense line "
            r"of the statement$",
            "{v} n'est pas une ligne de charges ; chaque élément de rapprochement porte sur une "
            "ligne de charges de l'état financier",
        ),
        (
            r"^the amount is 0; a reconciling item has an amount other than 0$",
            "le montant est 0 ; un élément de rapprochement a un montant différent de 0",
        ),
        (
            r"^end_date (?P<v>.*): the activity ended before (?P<y>\d+); it belongs to an earlier "
            r"year$",
            "end_date {v} : l'activité s'est achevée avant {y} ; elle appartient à un exercice "
            "antérieur",
        ),
        (
            r"^region is missing; the region of nationality is required for category (?P<c>\S+) "
            r"\(it may be empty for G only\)$",
            "region manque ; la région de nationalité est obligatoire pour la catégorie {c} "
            "(elle ne peut être vide que pour G)",
        ),
        (
            r"^members (?P<v>.*) is above 194; the Union has at most 194 Member States$",
            "members {v} dépasse 194 ; l'Union compte au plus 194 États Membres",
        ),
        (
            r"^participating (?P<v>.*) exceeds members (?P<m>.*)$",
            "participating {v} dépasse members {m}",
        ),
        (
            r'^"(?P<v>.*)" is not a date; expected YYYY-MM-DD$',
            "« {v} » n'est pas une date ; format attendu AAAA-MM-JJ",
        ),
        (
            r'^"(?P<v>.*)" is not one of the six languages(?: of the Union)?; expected one of '
            r"(?P<codes>.*)$",
            "« {v} » n'est pas l'une des six langues de l'Union ; codes attendus : {codes}",
        ),
        (
            r'^unknown field "(?P<v>.*)"; the row is ignored \(fields: (?P<all>.*)\)$',
            "champ inconnu « {v} » ; la ligne est ignorée (champs : {all})",
        ),
        (
            r"^the text has (?P<n>\S+) characters; a narrative has at most 4,000$",
            "le texte compte {n} caractères ; un texte en compte au plus 4 000",
        ),
        (
            r'^this translation of (?P<i>.*) has (?P<c>\w+) "(?P<v>.*)" but its first row '
            r'\((?P<w>.*)\) has "(?P<e>.*)"; the translations of a narrative share org_unit, '
            r"strategic_code and kind$",
            "cette traduction de {i} a {c} « {v} » mais sa première ligne ({w}) a « {e} » ; les "
            "traductions d'un texte partagent org_unit, strategic_code et kind",
        ),
        (
            r"^financial statements delivered twice: .*$",
            "états financiers livrés deux fois : le classeur et des CSV ; livrez soit le "
            "classeur, soit les trois CSV",
        ),
        (
            r"^incomplete financial statements: (?P<m>.*) missing; .*$",
            "états financiers incomplets : il manque {m} ; les trois CSV vont ensemble (ou livrez "
            "le classeur)",
        ),
    )
)


def issue_message(issue: Issue, lang: str) -> tuple[str, str]:
    """The issue's message in ``lang`` and the language it is actually in.

    Returns:
        ``(message, language)``; the language is ``en`` when no French is known.
    """
    if language(lang) == "en":
        return issue.message, "en"
    for pattern, french in _FRENCH_ISSUES:
        match = pattern.match(issue.message)
        if match:
            return french.format(**match.groupdict()), "fr"
    return issue.message, "en"
