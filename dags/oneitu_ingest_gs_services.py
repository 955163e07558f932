"""# One ITU ingestion: General Secretariat services

Airflow DAG that loads what General Secretariat services deliver for the enablers and
the Council (contract version 2, sections 3.5 and 3.6): `staff.csv` (human resources,
aggregated headcount), `membership.csv` (membership) and `council_document.csv` (the
Council secretariat: the document's number, session, date and references). Each file is
judged on its own; bad rows are quarantined, an unknown Council field is ignored with a
warning.

New files and corrected files (which supersede the earlier delivery) are loaded;
unchanged files are skipped by content hash; files that disappeared no longer count.
When new data was loaded the DAG emits the `oneitu://landing/gs_services` asset with the
years in the event's `extra`, which schedules `oneitu_annual_report`.

Params: `year` (optional; by default last year and this year).
"""

from __future__ import annotations

from airflow.sdk import DAG

from oneitu_common import ingestion_dag

oneitu_ingest_gs_services: DAG = ingestion_dag("gs_services", __doc__)
