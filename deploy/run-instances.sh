#!/usr/bin/env bash
# Start N Atelier processes on consecutive ports, all on the same PostgreSQL.
#   ATELIER_DATABASE_URL=postgresql+psycopg://atelier@db/atelier ATELIER_COOKIE_KEY=... \
#   ATELIER_BASE_URL=https://atelier.example.org deploy/run-instances.sh 3
# Use a process manager (systemd units below) in production; this script is for a first try.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-2}"
first_port="${FIRST_PORT:-8501}"
: "${ATELIER_DATABASE_URL:?set ATELIER_DATABASE_URL to the shared PostgreSQL}"
: "${ATELIER_COOKIE_KEY:?set ATELIER_COOKIE_KEY (32+ characters), the same for every process}"
.venv/bin/python manage.py init-db
pids=()
for i in $(seq 0 $((count - 1))); do
  port=$((first_port + i))
  .venv/bin/streamlit run serve.py --server.address 127.0.0.1 --server.port "$port" \
      --server.enableXsrfProtection true > "data/app-$port.log" 2>&1 &
  pids+=($!)
  echo "started on 127.0.0.1:$port (pid ${pids[-1]})"
done
trap 'kill "${pids[@]}" 2>/dev/null' INT TERM EXIT
wait
