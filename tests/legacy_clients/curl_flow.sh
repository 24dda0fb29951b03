#!/bin/sh
# Origin: the original system's README ("API Endpoints"): upload with POST /api/upload-pdfs,
# follow GET /api/jobs/{task_id} until SUCCESS or FAILURE, then GET /api/worker-stats; with
# curl, as a partner's script would. Changed: the X-API-Key header (PROFAI_API_KEY).
# Usage: PROFAI_URL=http://host:port PROFAI_API_KEY=... curl_flow.sh file.pdf "Course title"
# Prints each reply on a line of its own: "upload {...}", "status {...}" (every poll), "stats {...}".
set -eu
URL="${PROFAI_URL:-http://localhost:5001}"
PDF="$1"
TITLE="${2:-Test}"
PY="${PYTHON:-python3}"
TIMEOUT="${POLL_TIMEOUT:-120}"

reply=$(curl -sS -f -X POST "$URL/api/upload-pdfs" -H "X-API-Key: $PROFAI_API_KEY" \
  -F "files=@$PDF" -F "course_title=$TITLE")
echo "upload $reply"
task_id=$(printf '%s' "$reply" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["task_id"])')

waited=0
while :; do
  status=$(curl -sS -f "$URL/api/jobs/$task_id" -H "X-API-Key: $PROFAI_API_KEY")
  echo "status $status"
  state=$(printf '%s' "$status" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"])')
  case "$state" in
    SUCCESS|FAILURE) break ;;
  esac
  if [ "$waited" -ge "$TIMEOUT" ]; then
    echo "timeout: still $state after ${TIMEOUT}s" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done

stats=$(curl -sS -f "$URL/api/worker-stats" -H "X-API-Key: $PROFAI_API_KEY")
echo "stats $stats"
