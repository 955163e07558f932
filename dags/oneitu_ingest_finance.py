"""# One ITU ingestion: finance

Airflow DAG that loads the financial statements (workbook or the three CSVs) and the optional expense ledger, delivered by Finance from the landing zone into the warehouse; since contract version 2 also the optional `budget_allocation` and `budget_reconciliation` (sheets of the workbook, or CSVs beside the three CSVs), judged with the statements (rules R2 to R4 and L2 need them).

New files and corrected files (which supersede the earlier delivery) are loaded;
unchanged files are skipped by content hash; files that disappeared no longer count.
When new data was loaded the DAG emits the `oneitu://landing/finance` asset with the
years in the event's `extra`, which schedules `oneitu_annual_report`.

Params: `year` (optional; by default last year and this year).
"""

from __future__ import annotations

from airflow.sdk import DAG

from oneitu_common import ingestion_dag

oneitu_ingest_finance: DAG = ingestion_dag("finance", __doc__)
