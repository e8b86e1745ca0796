# Earshot: slim, non-root; migrates the database, then runs until stopped.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY migrations ./migrations
COPY earshot ./earshot
RUN pip install . && rm -rf /src

RUN useradd --create-home --uid 10001 earshot && mkdir -p /data /config && chown earshot /data
USER earshot
WORKDIR /data
# Mount your earshot.toml at /config; SQLite (the default) writes to /data, a volume.
ENV EARSHOT_CONFIG=/config/earshot.toml
# /healthz and /metrics on, on every interface of the container (outside Docker they are off, or on 127.0.0.1),
# so the health check below and an orchestrator's probes reach them. Publish the port only if you scrape it.
ENV EARSHOT_OPS_PORT=9464 EARSHOT_OPS_HOST=0.0.0.0
EXPOSE 9464
# The slim image has no curl; Python is there. /healthz answers 503 (an error here) when the scheduler is not
# running or the database does not answer. The start period covers `earshot db upgrade`.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['EARSHOT_OPS_PORT'] + '/healthz', timeout=4)"]
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "earshot db upgrade && exec earshot run"]
