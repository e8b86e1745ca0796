# Earshot: slim, non-root; migrates the database, then runs until stopped.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY migrations ./migrations
RUN pip install . && rm -rf /src

RUN useradd --create-home --uid 10001 earshot && mkdir -p /data /config && chown earshot /data
USER earshot
WORKDIR /data
# Mount your earshot.toml at /config; SQLite (the default) writes to /data, a volume.
ENV EARSHOT_CONFIG=/config/earshot.toml
VOLUME ["/data"]
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "earshot db upgrade && exec earshot run"]
