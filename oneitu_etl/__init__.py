"""One ITU: the annual Strategic Plan implementation report, aligned with the financial statements.

The package holds all of the pipeline's logic and imports nothing from Airflow at module
level, so that it can be tested and run (``oneitu run``) without a scheduler.
"""

__version__ = "0.1.0"
