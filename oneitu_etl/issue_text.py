"""The validator's messages in the report's or the page's language.

A problem found (:class:`~oneitu_etl.issues.Issue`) is written in English, where the
files, the JSON and the logs keep it; the upload page and the report's data quality
annex show it in their reader's language through :func:`translate`. English is the
identity; French is matched sentence by sentence below. A sentence with no French
stays in English, and the tests run the validator on the bad-input corpus to keep the
two in step.
"""

from __future__ import annotations

import re

#: The validator's English sentences and their French, most specific first. A pattern
#: that no longer matches what the validator writes leaves the sentence in English; the
#: tests run the validator on bad files to keep the two in step.
FRENCH_ISSUES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), french)
    for pattern, french in (
        # what Excel and people really deliver (the readers: sources/files.py, content.py)
        (
            r"^the row has (?P<n>\d+) cells but the header has (?P<w>\d+): .*$",
            "la ligne a {n} cellules mais l'en-tête en a {w} : une virgule dans une valeur "
            "(séparateur de milliers, virgule décimale, virgule dans un texte) la coupe en deux ; "
            "supprimez la virgule ou mettez la valeur entre guillemets doubles",
        ),
        (
            r'^cell (?P<c>[A-Z]+\d+) holds "(?P<v>.*)" but its column has no name in row 1; .*$',
            "la cellule {c} contient « {v} » mais sa colonne n'a pas de nom en ligne 1 ; nommez "
            "la colonne ou videz la cellule",
        ),
        (
            r"^the cell holds (?P<n>[\d,]+) characters, above the limit of (?P<l>[\d,]+) "
            r"\(Excel's own limit for a cell\); an unmatched double quote .*$",
            "la cellule contient {n} caractères, au-delà de la limite de {l} (celle d'Excel) ; un "
            'guillemet double (") non fermé fait des lignes suivantes une seule cellule : '
            "supprimez-le",
        ),
        (
            r"^the cell holds (?P<n>[\d,]+) characters, above the limit of (?P<l>[\d,]+) "
            r"\(Excel's own limit for a cell\); shorten it$",
            "la cellule contient {n} caractères, au-delà de la limite de {l} (celle d'Excel pour "
            "une cellule) ; raccourcissez-la",
        ),
        (
            r"^header cell (?P<k>\d+) runs over several lines: .*$",
            "la cellule d'en-tête {k} s'étend sur plusieurs lignes : un guillemet double (\") non "
            "fermé fait du reste du fichier une seule cellule ; supprimez-le",
        ),
        (
            r"^header cell (?P<k>\d+) of row 1 is empty \(merged or missing header\?\)$",
            "la cellule d'en-tête {k} de la ligne 1 est vide (cellules fusionnées ou nom de "
            "colonne manquant ?)",
        ),
        (
            r"^row 1 is not the header row \(no (?P<m>.*)\): the header seems to be in row "
            r"(?P<r>\d+); .*$",
            "la ligne 1 n'est pas la ligne d'en-tête (il manque {m}) : l'en-tête semble être en "
            "ligne {r} ; supprimez les lignes au-dessus pour qu'il soit en ligne 1",
        ),
        (
            r'^missing required column "(?P<c>[^"]*)" \(found "(?P<f>[^"]*)": .*\); the columns '
            r"are: (?P<all>.*)$",
            "colonne obligatoire « {c} » absente (trouvé « {f} » : les noms de colonnes s'écrivent "
            "exactement comme dans le contrat, en minuscules avec des traits de soulignement ; "
            "renommez-la) ; les colonnes sont : {all}",
        ),
        (
            r'^missing sheet "(?P<s>.*)"; the workbook has: (?P<all>.*); sheet "(?P<n>.*)" has '
            r'spaces around its name: rename it ".*"$',
            "feuille « {s} » absente ; le classeur contient : {all} ; le nom de la feuille "
            "« {n} » a des espaces autour : renommez-la « {s} »",
        ),
        (
            r'^missing sheet "(?P<s>.*)"; the workbook has: (?P<all>.*); sheet "(?P<n>.*)" has '
            r'other capitals: rename it ".*"$',
            "feuille « {s} » absente ; le classeur contient : {all} ; la feuille « {n} » a "
            "d'autres majuscules : renommez-la « {s} »",
        ),
        (
            r"^the workbook is protected by a password to open it .*$",
            "le classeur est protégé par un mot de passe d'ouverture (chiffré) et ne peut pas "
            "être lu ; enregistrez-en une copie sans mot de passe (Fichier > Informations > "
            "Protéger le classeur), ou livrez les fichiers CSV",
        ),
        (
            r"^this is an Excel 97-2003 workbook \(\.xls\); .*$",
            "c'est un classeur Excel 97-2003 (.xls) ; ouvrez-le dans Excel et enregistrez-le "
            "comme « Classeur Excel (.xlsx) »",
        ),
        (
            r'^the workbook is saved as "Strict Open XML Spreadsheet".*$',
            "le classeur est enregistré au format « Feuille de calcul Open XML Strict », qui "
            "ne peut pas être lu ; enregistrez-le comme « Classeur Excel (.xlsx) »",
        ),
        (
            r"^the file is encoded as (?P<e>UTF-16[LB]E) without a byte order mark .*$",
            "le fichier est encodé en {e} sans indicateur d'ordre des octets (un octet NUL sur "
            "deux) ; enregistrez-le en CSV UTF-8",
        ),
        (
            r"^(?P<what>.*), not an Excel workbook; expected an \.xlsx workbook$",
            "ce n'est pas un classeur Excel ({what}) ; un classeur .xlsx est attendu",
        ),
        (
            r"^not a text CSV file: this is (?P<what>.*); save the table as CSV$",
            "ce n'est pas un fichier CSV texte ({what}) ; enregistrez le tableau en CSV",
        ),
        (
            r'^"(?P<v>.*)" is in scientific notation \((?P<n>.*)\); .*$',
            "« {v} » est en notation scientifique ({n}) ; formatez les cellules en Nombre avec 2 "
            "décimales avant d'enregistrer, pour que le fichier contienne le montant lui-même",
        ),
        (
            r"^an Excel lock file \(.*\); ignored$",
            "un fichier de verrouillage d'Excel (Excel l'écrit tant que le fichier est ouvert et "
            "le supprime à sa fermeture) ; ignoré",
        ),
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
    )
)


def translate(message: str, lang: str) -> tuple[str, str]:
    """``message`` in ``lang``, and the language it is actually in.

    Returns:
        ``(message, language)``; the language is ``en`` when no French is known.
    """
    if lang != "fr":
        return message, "en"
    for pattern, french in FRENCH_ISSUES:
        match = pattern.match(message)
        if match:
            return french.format(**match.groupdict()), "fr"
    return message, "en"
