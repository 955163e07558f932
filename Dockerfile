# The One ITU Airflow image: the official Airflow image plus the oneitu-etl package, installed
# with the project's own committed constraints (the same pins as `make install`), so every
# Airflow component of docker-compose.yml (and of the Helm chart) runs the same code.
#
#   docker compose build        # or: docker build -t oneitu-etl-airflow:3.3.2-python3.11 .
FROM apache/airflow:3.3.2-python3.11

# WeasyPrint (the PDF reports) needs Pango and HarfBuzz; fonts for the charts and PDFs.
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && apt-get autoremove -yqq --purge \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

USER airflow
WORKDIR /opt/oneitu/src
# README* is a glob: pyproject.toml names README.md as the long description, if present.
COPY --chown=airflow:0 pyproject.toml constraints.txt README* ./
COPY --chown=airflow:0 oneitu_etl ./oneitu_etl
# The report templates and catalogues and the expectation suites live beside the package
# (found through oneitu_etl.settings.PROJECT_ROOT), hence the editable install from here.
COPY --chown=airflow:0 reports ./reports
COPY --chown=airflow:0 expectations ./expectations
# apache-airflow==3.3.2 is pinned in pyproject.toml and constraints.txt, so pip cannot move the
# image's Airflow; `pip check` fails the build on any broken requirement.
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && pip check

WORKDIR /opt/airflow
