# Engage's image: `engage serve` as a non-root user, configured only by ENGAGE_* (and the
# platforms' SLACK_*, Microsoft*) variables and secret files (ENGAGE_SECRETS_DIR).
# Build: docker build -t engage .   See docs/DEPLOY.md and deploy/compose.yaml.
ARG PYTHON_IMAGE=python:3.11-slim-trixie

# --- 1. build: wheels for Engage and every dependency, installed into a virtualenv ---------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY nudges ./nudges
RUN python -m pip wheel --wheel-dir /wheels . \
 && python -m venv /opt/engage \
 && /opt/engage/bin/pip install --no-index --find-links /wheels engage-bot \
 && /opt/engage/bin/pip uninstall --yes pip setuptools wheel \
 && find /opt/engage -name '__pycache__' -prune -exec rm -rf {} +

# --- 2. runtime: the virtualenv, PostgreSQL's client tools (engage db dump/restore) --------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/engage/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENGAGE_ENV=prod \
    ENGAGE_HOST=0.0.0.0 \
    ENGAGE_PORT=3000
RUN apt-get update \
 && apt-get install --yes --no-install-recommends postgresql-client \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /root/.cache \
 && groupadd --system --gid 10001 engage \
 && useradd --system --uid 10001 --gid engage --home-dir /var/lib/engage --create-home \
      --shell /usr/sbin/nologin engage
COPY --from=build /opt/engage /opt/engage
WORKDIR /var/lib/engage
USER 10001:10001
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ENGAGE_PORT', '3000'), timeout=4)"
ENTRYPOINT ["engage"]
CMD ["serve"]
