"""# One ITU ingestion: narratives

Airflow DAG that loads the units' narratives (contract version 2, section 3.4):
`<year>/narratives/*.csv`, one or more files per unit, with what each unit achieved,
where it struggled and what comes next, in the six languages. The year's files are
judged together, in name order: a translation that disagrees with the first loaded row
of its narrative, or a narrative given twice in one language, is quarantined.

New files and corrected files (which supersede the earlier delivery) are loaded;
unchanged files are skipped by content hash; files that disappeared no longer count.
When new data was loaded the DAG emits the `oneitu://landing/narratives` asset with the
years in the event's `extra`, which schedules `oneitu_annual_report`.

Params: `year` (optional; by default last year and this year).
"""

from __future__ import annotations

from airflow.sdk import DAG

from oneitu_common import ingestion_dag

oneitu_ingest_narratives: DAG = ingestion_dag("narratives", __doc__)
