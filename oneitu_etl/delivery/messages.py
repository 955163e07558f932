"""Every string the delivery page shows, in English and French.

:func:`text` looks a message up by key and fills its fields. The validator writes its
problems in English; :func:`issue_message` gives them in French by recognising the
validator's sentences (:data:`_FRENCH_ISSUES`), and leaves a sentence it does not know in
English rather than guess. The page's own catalogue is this module: the report's Babel
catalogues under ``reports/locale`` belong to the report.
"""

from __future__ import annotations

from collections.abc import Mapping

from oneitu_etl.issue_text import translate
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
        "data_docs_link": "Data Docs: every expectation suite and its latest validation",
        "data_docs_none": "No Data Docs have been published yet: they come with a report.",
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
        "password": (
            "the workbook is protected by a password to open it, so it cannot be read; save a "
            "copy without the password (File > Info > Protect Workbook), or deliver the CSVs."
        ),
        "not_workbook": "this is {what}, not an Excel workbook (no xl/workbook.xml).",
        "binary": (
            "this is {what}, not a workbook or a text CSV file; "
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
        "data_docs_link": "Data Docs : chaque suite d'attentes et sa dernière validation",
        "data_docs_none": (
            "Aucune Data Docs n'a encore été publiée : elles accompagnent un rapport."
        ),
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
        "password": (
            "le classeur est protégé par un mot de passe d'ouverture et ne peut pas être lu ; "
            "enregistrez-en une copie sans mot de passe (Fichier > Informations > Protéger le "
            "classeur), ou livrez les fichiers CSV."
        ),
        "not_workbook": "ce fichier n'est pas un classeur Excel (pas de xl/workbook.xml) : {what}.",
        "binary": (
            "ce n'est ni un classeur ni un fichier CSV texte ({what}) ; "
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


def refusal_text(lang: str, key: str, params: Mapping[str, object]) -> str:
    """Why an upload was refused, in ``lang`` (a ``limit`` field shown as a size)."""
    fields = dict(params)
    if "limit" in fields:
        fields["limit"] = size_text(lang, int(fields["limit"]))  # type: ignore[arg-type]
    return text(lang, key, **fields)


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


def issue_message(issue: Issue, lang: str) -> tuple[str, str]:
    """The issue's message in ``lang`` and the language it is actually in.

    Returns:
        ``(message, language)``; the language is ``en`` when no French is known.
    """
    return translate(issue.message, language(lang))
