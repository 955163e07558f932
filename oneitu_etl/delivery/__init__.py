"""Finance's delivery page: upload a file, see its problems at once, refresh the report.

A small FastAPI application, served by the Airflow API server through the plugin in
``plugins/oneitu_delivery.py``. This package imports nothing from Airflow: the plugin
injects who the caller is (Airflow's authentication) and how to announce a delivery
(an Airflow asset event), so the pages can be tested with a fake of each.

- :mod:`~oneitu_etl.delivery.config`: limits and roles (``ONEITU_MAX_UPLOAD_BYTES``...);
- :mod:`~oneitu_etl.delivery.sniff`: what a file is, by its content, and where it goes;
- :mod:`~oneitu_etl.delivery.service`: validate, write atomically, record, announce;
- :mod:`~oneitu_etl.delivery.csrf`: the form's double-submit token, bound to the user;
- :mod:`~oneitu_etl.delivery.messages`: the pages' English and French strings;
- :mod:`~oneitu_etl.delivery.app`: the FastAPI application factory (the pages, the
  published reports and Data Docs);
- ``static/top.js``: the page's one script, opening its links to the reports and to Airflow
  in the top window from Airflow's sandboxed iframe.
"""

from oneitu_etl.delivery.app import create_app
from oneitu_etl.delivery.config import Caller, DeliveryConfig

__all__ = ["Caller", "DeliveryConfig", "create_app"]
