"""Great Expectations: the declared suites run with GX Core, with their results.

The suites are generated from the declarations in ``expectations/`` (:mod:`.suites`) and
run in an ephemeral context, one pandas dataframe asset per table, ``result_format``
COMPLETE with ``unexpected_index_column_names`` ``file`` and ``row``: every failing row is
named as a person finds it in the delivered file. GX is the independent check of pipeline
stage 2 (:mod:`oneitu_etl.stage2`); ``tests/validate/test_gx_agreement.py`` proves it
fails the rows the row engine (:mod:`.engine`) fails. GX takes seconds to import: only
inside :func:`run_suites`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from oneitu_etl.contract import Kind
from oneitu_etl.issue_text import TEMPLATES
from oneitu_etl.validate.suites import ID_COLUMNS, Declaration, Rule

log = logging.getLogger(__name__)
_SITE = "oneitu"


@dataclass(frozen=True)
class Outcome:
    """One expectation's result on one table: ``failing`` names each failing row by
    ``(file, row)`` (the later occurrences, for uniqueness); a reconciliation entry has no
    column and no counts, but GX's ``observed`` sum; ``exception`` is GX's message when the
    expectation could not be evaluated."""

    suite: str
    rule: str
    rule_id: str
    expectation: str
    column: str | None
    success: bool
    element_count: int | None
    unexpected_count: int | None
    failing: list[tuple[str, int]] = field(default_factory=list)
    observed: Any = None
    severity: str = "error"
    exception: str | None = None
    reconciliation: bool = False


def _condition(mapping: Mapping[str, Any]):  # noqa: ANN202 - a GX Condition
    from great_expectations.expectations.row_conditions import Column  # noqa: PLC0415

    condition = None
    for column, value in mapping.items():
        part = Column(column).is_in(value) if isinstance(value, list) else Column(column) == value
        condition = part if condition is None else condition & part
    return condition


def _expectation(rule: Rule):  # noqa: ANN202 - a GX Expectation
    from great_expectations.expectations.expectation_configuration import (  # noqa: PLC0415
        ExpectationConfiguration,
    )

    kwargs = dict(rule.kwargs)
    if kwargs.get("row_condition"):
        kwargs["row_condition"] = _condition(kwargs["row_condition"])
        kwargs["condition_parser"] = "pandas"
    else:
        kwargs.pop("row_condition", None)
    meta = {k: v for k, v in rule.as_gx()["meta"].items() if isinstance(v, str | int | float)}
    notes = rule.meta.get("message") or TEMPLATES.get(rule.meta.get("says", "")) or None
    config = ExpectationConfiguration(
        type=rule.type, kwargs=kwargs, meta=meta, notes=f"Message: {notes}" if notes else None
    )
    return config.to_domain_obj()


def _context(data_docs: Path | None):  # noqa: ANN202 - a GX EphemeralDataContext
    import great_expectations as gx  # noqa: PLC0415
    from great_expectations.data_context.types.base import (  # noqa: PLC0415
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    for site in list(context.get_site_names()):
        context.delete_data_docs_site(site)
    if data_docs is not None:
        context.add_data_docs_site(
            site_name=_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _later_occurrences(
    failing: list[tuple[str, int]], batch: pd.DataFrame, columns: tuple[str, ...]
) -> list[tuple[str, int]]:
    """GX reports every row of a duplicated key; the first is kept, the later ones fail."""
    if not failing:
        return []
    ids = pd.MultiIndex.from_frame(batch[list(ID_COLUMNS)])
    rows = batch[ids.isin(failing)]
    later = rows[rows.duplicated(subset=list(columns), keep="first")]
    return list(zip(later["file"].astype(str), later["row"].astype(int), strict=True))


def _outcome(rule: Rule, result: Any, batch: pd.DataFrame) -> Outcome:  # noqa: ANN401
    info = result.exception_info or {}
    exception = info.get("exception_message") if info.get("raised_exception") else None
    if exception:
        log.error("%s %s could not be evaluated by GX: %s", rule.suite, rule.id, exception)
    data = result.result or {}
    failing = [(str(i["file"]), int(i["row"])) for i in data.get("unexpected_index_list") or []]
    if rule.name == "unique":
        failing = _later_occurrences(failing, batch, rule.columns)
    success = bool(result.success) and exception is None
    if rule.name == "unique":
        success = not failing and exception is None
    count = data.get("unexpected_count")
    return Outcome(
        suite=rule.suite,
        rule=rule.name,
        rule_id=rule.id,
        expectation=rule.type,
        column=None if rule.table_level else rule.column,
        success=success,
        element_count=data.get("element_count"),
        unexpected_count=len(failing) if count is not None else None,
        failing=failing,
        observed=data.get("observed_value"),
        severity=rule.severity,
        exception=exception,
        reconciliation=rule.table_level,
    )


def run_suites(
    declarations: Mapping[Kind, Declaration],
    rules: Mapping[Kind, list[Rule]],
    batches: Mapping[Kind, pd.DataFrame],
    *,
    data_docs: Path | None = None,
) -> list[Outcome]:
    """One :class:`Outcome` per expectation of every table that has a batch.

    Every declaration becomes a GX suite (listed in the Data Docs even without data), with
    its resolved ``rules`` (row rules and reconciliation entries); ``data_docs``: an empty
    absolute folder to render the Data Docs site into, or ``None``.
    """
    import great_expectations as gx  # noqa: PLC0415

    context = _context(data_docs)
    source = context.data_sources.add_pandas("oneitu_warehouse")
    outcomes: list[Outcome] = []
    for kind, declaration in declarations.items():
        by_id = {rule.id: rule for rule in rules.get(kind, [])}
        suite = context.suites.add(
            gx.ExpectationSuite(
                name=declaration.name,
                expectations=[_expectation(rule) for rule in by_id.values()],
                meta={"notes": {"format": "markdown", "content": [_suite_notes(declaration)]}},
            )
        )
        if kind not in batches:
            continue
        batch = batches[kind]
        asset = source.add_dataframe_asset(declaration.name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=declaration.name,
                suite=suite,
                data=asset.add_batch_definition_whole_dataframe("current"),
            )
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{declaration.name}_checkpoint",
                validation_definitions=[definition],
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": list(ID_COLUMNS),
                },
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": batch})
        for validation in run.run_results.values():
            for result in validation.results:
                rule = by_id[result.expectation_config.meta["rule_id"]]
                outcomes.append(_outcome(rule, result, batch))
    if data_docs is not None:
        context.build_data_docs(site_names=[_SITE])
    return outcomes


def _suite_notes(declaration: Declaration) -> str:
    meta = declaration.meta
    on_failure = {
        "block_year": "any failure blocks the year's report",
        "quarantine_row": "a failing row is quarantined; the rest is loaded",
    }
    return (
        f"**{declaration.name}** (contract section {meta.get('contract', '?')}): "
        f"{meta.get('description', '')} Source: {meta.get('source', '?')}. "
        f"On failure: {on_failure.get(meta.get('on_failure', ''), '?')}. "
        f"Declared in `expectations/{declaration.path.name}`."
    )
