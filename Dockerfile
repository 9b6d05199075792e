# The scheduled job's image (a Cloud Run job, or any container scheduler): the
# repository, its pinned dependencies, and dbt's parse baked in for BigQuery.
# Build:  docker build -t props-contracts --build-arg PROPS_BQ_PROJECT=my-project .
# Run:    docker run --rm -e PROPS_ALERT_SLACK_WEBHOOK_URL=... props-contracts
# docs/deployment.md has the Cloud Run job, its schedule and its permissions.
FROM python:3.11-slim

ARG PROPS_BQ_PROJECT=nba-props-platform
ARG PROPS_BQ_DATASET=props_contracts
ARG PROPS_BQ_LOCATION=US
# The environment the job runs with: the parse baked below is reused only when
# the run's target, project, dataset, location and vars are the ones it was made with.
ENV PROPS_TARGET=bigquery \
    PROPS_BQ_PROJECT=${PROPS_BQ_PROJECT} \
    PROPS_BQ_DATASET=${PROPS_BQ_DATASET} \
    PROPS_BQ_LOCATION=${PROPS_BQ_LOCATION} \
    PROPS_BQ_METHOD=oauth \
    DBT_PROFILES_DIR=/app \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
# Dependencies first (a layer that changes only with the pins), then the project.
COPY pyproject.toml constraints.txt README.md ./
COPY scripts/props_contracts/__init__.py scripts/props_contracts/__init__.py
RUN pip install --no-cache-dir -c constraints.txt -e . \
    && useradd --create-home --uid 10001 props
COPY . .
# Editable install: the CLI finds the dbt project beside its package (/app).
RUN pip install --no-cache-dir --no-deps -c constraints.txt -e . \
    && props-contracts parse --target bigquery \
    && chown -R props:props /app
USER 10001:10001

# run, then alert; the job exits 2 if either could not do its work, else run's code
ENTRYPOINT ["/app/deploy/scheduled-job.sh"]
