"""The declarations in expectations/: complete, consistent with the readers, references resolved.

Also: nothing on the fast path (the command line, ingestion, the modules DAG files import)
imports Great Expectations.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from oneitu_etl.contract import TABLES, Kind
from oneitu_etl.reference import load_reference
from oneitu_etl.validate import engine
from oneitu_etl.validate.reconcile import reconciliation_rules
from oneitu_etl.validate.suites import (
    DeclarationError,
    Rule,
    Scope,
    load_declarations,
    resolve_rules,
)

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"
DECLARATIONS = load_declarations(EXPECTATIONS)
REFERENCE = load_reference()


def declarations_mismatch(declarations: dict, tables: dict) -> list[str]:
    """Differences between the declared columns and the readers' table specs (none expected)."""
    problems = []
    for kind, spec in tables.items():
        declared = [(c.name, c.type, c.nullable) for c in declarations[kind].columns]
        specified = [(c.name, c.type, c.nullable) for c in spec.columns]
        if declared != specified:
            problems.append(f"{kind.value}: declared {declared} but the reader expects {specified}")
    return problems


def test_one_declaration_per_contract_table_with_the_readers_columns() -> None:
    assert set(DECLARATIONS) == set(Kind)
    assert declarations_mismatch(DECLARATIONS, TABLES) == []


def test_a_missing_declaration_is_refused(tmp_path: Path) -> None:
    for path in EXPECTATIONS.glob("*.json"):
        if path.name != "expense_ledger.json":
            (tmp_path / path.name).write_text(path.read_text())
    with pytest.raises(DeclarationError, match="no suite declaration for expense_ledger"):
        load_declarations(tmp_path)


def test_allowed_codes_come_from_the_reference_data() -> None:
    rules = {r.id: r for r in resolve_rules(DECLARATIONS[Kind.ALLOCATION], Scope(REFERENCE, 2024))}
    assert rules["allowed_codes:org_unit"].kwargs["value_set"] == sorted(REFERENCE.org_units)
    assert rules["allowed_codes:strategic_code"].kwargs["value_set"] == sorted(
        REFERENCE.cycle_for(2024).allocatable_codes
    )
    # the same declaration resolves to the other plan's codes for a year of that plan
    earlier = {
        r.id: r for r in resolve_rules(DECLARATIONS[Kind.ALLOCATION], Scope(REFERENCE, 2021))
    }
    assert earlier["allowed_codes:strategic_code"].kwargs["value_set"] == sorted(
        REFERENCE.cycle_for(2021).allocatable_codes
    )
    text = "".join(p.read_text() for p in EXPECTATIONS.glob("*.json"))
    for code in ("RO-AFR", "TP-RAD", "EXP_STAFF", "workshop", "percent"):
        assert f'"{code}"' not in text  # never typed twice


def test_year_rules_are_left_out_without_a_year() -> None:
    with_year = {r.id for r in resolve_rules(DECLARATIONS[Kind.ACTIVITIES], Scope(REFERENCE, 2024))}
    without = {r.id for r in resolve_rules(DECLARATIONS[Kind.ACTIVITIES], Scope(REFERENCE, None))}
    assert with_year - without == {"date_in_year:start_date", "ended_before_year:end_date"}


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_the_row_checker_knows_every_declared_rule(kind: Kind) -> None:
    scope = Scope(REFERENCE, 2024, frozenset({"NET-USE"}))
    rules = resolve_rules(DECLARATIONS[kind], scope)
    assert len({(r.name, r.column) for r in rules}) == len(rules)
    columns = [c.name for c in DECLARATIONS[kind].columns]
    empty = pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    compiled = engine.Compiled(DECLARATIONS[kind], rules)  # raises on a type it does not know
    found = engine.run(compiled, empty, columns)
    assert found.empty and len(compiled.failed(found)) >= len(rules)


def test_the_reconciliation_entries_are_those_of_the_contract() -> None:
    def frame(**columns: list) -> pd.DataFrame:
        return pd.DataFrame(columns)

    batches = {
        Kind.PERFORMANCE: frame(
            line_code=["REV_ASSESSED", "EXP_STAFF", "TOTAL_REVENUE", "TOTAL_EXPENSES"],
            amount_chf=[10.0, 8.0, 10.0, 8.0],
        ),
        Kind.BUDGET: frame(org_unit=["GS", "BR"], actual_chf=[5.0, 3.0]),
        Kind.ALLOCATION: frame(
            org_unit=["GS", "BR"], strategic_code=["EN-HRI", "TP-RAD"], expense_chf=[5.0, 3.0]
        ),
        Kind.LEDGER: frame(
            org_unit=["GS", "BR"],
            strategic_code=["EN-HRI", "TP-RAD"],
            line_code=["EXP_STAFF", "EXP_STAFF"],
            amount_chf=[5.0, 3.0],
        ),
    }
    rules = reconciliation_rules(DECLARATIONS, batches, Scope(REFERENCE, 2024))
    assert [(r.suite, r.name) for r in rules] == [
        ("financial_performance", "R1-revenue"),
        ("financial_performance", "R1-expenses"),
        ("budget_comparison", "R2"),
        ("expense_allocation", "R3-BR"),
        ("expense_allocation", "R3-GS"),
        ("expense_allocation", "R3-total"),
        ("expense_ledger", "L1-BR-TP-RAD"),
        ("expense_ledger", "L1-GS-EN-HRI"),
        ("expense_ledger", "L2-EXP_STAFF"),
    ]
    r3_br = next(r for r in rules if r.name == "R3-BR")
    assert isinstance(r3_br, Rule)
    assert dict(r3_br.kwargs) == {
        "column": "expense_chf",
        "row_condition": {"org_unit": "BR"},
        "min_value": 1.995,
        "max_value": 4.005,
    }


def test_declarations_are_plain_json_a_person_can_read() -> None:
    for path in EXPECTATIONS.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["name"] == path.stem
        assert data["meta"]["on_failure"] in ("block_year", "quarantine_row")


def test_the_fast_path_never_imports_great_expectations() -> None:
    code = (
        "import sys; import oneitu_etl.cli, oneitu_etl.pipeline, oneitu_etl.ingest, "
        "oneitu_etl.checkfiles, oneitu_etl.stage2, oneitu_etl.validate.gx; "
        "from oneitu_etl.cli import main; "
        "print(any(m.split('.')[0] == 'great_expectations' for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
