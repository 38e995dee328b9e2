# OpsQM in a container (docs/operations.md, "Containers"): Debian's Python image, Pango
# and the Noto CJK fonts for PDFs, pg_dump for backups, run as an unprivileged user.
#   docker build -t opsqm:0.2.0 .        (compose.yaml names this tag)
#   docker save opsqm:0.2.0 | gzip >opsqm-image-0.2.0.tar.gz   (the offline route)
FROM python:3.13-slim-trixie AS build
WORKDIR /src
# Dependencies first, pinned and hash-checked: this layer is rebuilt only with the lock.
COPY requirements/opsqm.lock requirements/opsqm.lock
RUN python -m venv /opt/opsqm/venv \
 && /opt/opsqm/venv/bin/pip install --no-cache-dir --require-hashes -r requirements/opsqm.lock
COPY pyproject.toml README.md ./
COPY opsqm opsqm
RUN /opt/opsqm/venv/bin/pip install --no-cache-dir --no-deps . \
 && SECRET_KEY=image-build OPSQM_VAR_DIR=/tmp/var OPSQM_STATIC_ROOT=/opt/opsqm/static \
    /opt/opsqm/venv/bin/opsqm collectstatic --noinput -v0

FROM python:3.13-slim-trixie
LABEL org.opencontainers.image.title="OpsQM" \
      org.opencontainers.image.version="0.2.0"
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/opsqm --shell /usr/sbin/nologin opsqm \
 && mkdir -p /var/lib/opsqm /var/backups/opsqm \
 && chown opsqm:opsqm /var/lib/opsqm /var/backups/opsqm
COPY --from=build /opt/opsqm /opt/opsqm
COPY deploy /opt/opsqm/share/deploy
ENV PATH=/opt/opsqm/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    OPSQM_VAR_DIR=/var/lib/opsqm \
    OPSQM_STATIC_ROOT=/opt/opsqm/static \
    OPSQM_BIND=0.0.0.0:8000
USER opsqm
WORKDIR /var/lib/opsqm
VOLUME ["/var/lib/opsqm"]
EXPOSE 8000
CMD ["gunicorn", "--config", "/opt/opsqm/share/deploy/gunicorn.conf.py", "opsqm.edges.web.wsgi:application"]
