"""# One ITU ingestion: sectors

Airflow DAG that loads the activity files of the three Bureaux and the General Secretariat (`<year>/activities/*.csv`) from the landing zone into the warehouse.

New files and corrected files (which supersede the earlier delivery) are loaded;
unchanged files are skipped by content hash; files that disappeared no longer count.
When new data was loaded the DAG emits the `oneitu://landing/sectors` asset with the
years in the event's `extra`, which schedules `oneitu_annual_report`.

Params: `year` (optional; by default last year and this year).
"""

from __future__ import annotations

from airflow.sdk import DAG

from oneitu_common import ingestion_dag

oneitu_ingest_sectors: DAG = ingestion_dag("sectors", __doc__)
