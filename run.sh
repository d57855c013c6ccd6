#!/usr/bin/env bash
# One entry point that sets everything up on a fresh machine, then runs.
#   ./run.sh chat   start the web chat (http://127.0.0.1:7860)
#   ./run.sh test   run the test suite (installs Chromium, PostgreSQL and Redis for its tests)
#   ./run.sh <python -m chatbot args>   e.g. ./run.sh search "刻章要钱吗"
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
PY="$VENV/bin/python"

setup_python() {
  local stamp="$VENV/.setup-stamp" want
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  echo "[setup] creating $VENV and installing requirements (first run only)…" >&2
  python3 -m venv "$VENV"
  # CPU torch from local disk first, so nothing asks for the CUDA build.
  "$VENV/bin/pip" install -q torch==2.13.0
  "$VENV/bin/pip" install -q -r requirements.txt
  echo "$want" > "$stamp"
}

setup_browser() {
  # Debian's Chromium (Playwright's own browser download cannot work offline)
  # and CJK/emoji fonts so pages and screenshots show Chinese, not boxes.
  local need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
  [ ${#need[@]} -eq 0 ] && return
  echo "[setup] installing ${need[*]} for the browser tests…" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

setup_servers() {
  # Debian's PostgreSQL and Redis for the shared-store tests (tests/_servers.py
  # starts private instances on loopback; the system services stay off).
  local need=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
  [ -x /usr/bin/redis-server ] || need+=(redis-server)
  [ ${#need[@]} -eq 0 ] && return
  echo "[setup] installing ${need[*]} for the shared-store tests…" >&2
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

cmd="${1:-chat}"; shift || true
case "$cmd" in
  chat)
    setup_python
    exec "$PY" app.py "$@" ;;
  test)
    setup_python
    setup_browser || echo "[setup] chromium unavailable: browser tests will be skipped" >&2
    setup_servers || echo "[setup] postgresql/redis-server unavailable: shared-store tests will be skipped" >&2
    exec "$PY" -m pytest -q "$@" ;;
  *)
    setup_python
    exec "$PY" -m chatbot "$cmd" "$@" ;;
esac
