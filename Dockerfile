# The bot as a container: python -m bot run, as a non-root user, its database on the volume
# /data, healthy while its loops beat (/healthz). docs/operations.md, "Running it".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

# The bot's own user: it owns the database and nothing else.
RUN groupadd --system --gid 10001 ikbt \
    && useradd --system --uid 10001 --gid ikbt --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin ikbt

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogues ./dialogues
COPY programs ./programs
COPY storage ./storage
RUN pip install . && rm -rf /app/build

# The database, its write-ahead log and the purge ledger live on the volume (owner only).
RUN mkdir -p /data && chown ikbt:ikbt /data && chmod 0700 /data
VOLUME ["/data"]

# Inside the container the endpoint listens on every interface, so the health check below
# and Prometheus (through a published port) reach it; compose.yaml publishes it to the host's
# 127.0.0.1 only.
ENV DATABASE_PATH=/data/ikbt.sqlite3 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9090 \
    LOG_FORMAT=json
EXPOSE 9090

USER ikbt

# Healthy while every loop beats (/healthz answers 200); urlopen raises on 503 or no answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + (os.environ.get('METRICS_PORT') or '9090') + '/healthz', timeout=4)"]

# SIGTERM: stop taking updates, finish the update in hand and the sends in flight, exit 0
# within 8 s (Docker waits 10 s before SIGKILL).
STOPSIGNAL SIGTERM
# `python -m bot run` by default; other commands by name, e.g.
# `docker compose run --rm bot staff add --name Anna --role therapist --unit Växjö`.
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
