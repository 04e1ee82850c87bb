# Atelier's image: the app, its command line and its scheduled jobs (compose.yaml runs all three
# from it). Only the runtime packages, installed from the pinned, hashed requirements.txt.
#   docker build -t atelier .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# DejaVu Sans for PDF booklets, Symbola for their emoji and symbols (core/reporting/booklet.py
# reads the system's font files)
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-symbola \
    && rm -rf /var/lib/apt/lists/*

# The packages in a venv of their own, every one checked against its hash
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt
ENV PATH=/opt/venv/bin:$PATH

# A user of its own: the code is read-only to it, only data/ (SQLite, demo key, backups) is its
RUN useradd --system --create-home --uid 10001 --user-group atelier
WORKDIR /app
COPY . /app
RUN mkdir -p /app/data/backups && chown -R atelier:atelier /app/data && chmod 0700 /app/data/backups
USER atelier

EXPOSE 8501
# manage.py check: database reachable, schema at head, cookie key set, and the server answering
# its /_stcore/health (which checks the same; see serve.py)
HEALTHCHECK --interval=30s --timeout=20s --start-period=40s --retries=3 \
    CMD ["python", "manage.py", "check", "--server", "http://127.0.0.1:8501"]
# serve.py serves app.py; listening on every interface of the container (only the proxy reaches it)
CMD ["streamlit", "run", "serve.py", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.enableXsrfProtection", "true"]
