#!/usr/bin/env bash
# The newcomer's two commands (see README.md):
#   ./tasks.sh site   set everything up, then build the bundled catalog into site/
#   ./tasks.sh test   set everything up (browser included), then run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"
VENV=${CREDCAT_VENV:-.venv}

setup_python() {
  local extras=$1
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".$extras"
}

setup_browser() {
  # Browser tests use Debian's Chromium (no browser download: Playwright drives /usr/bin/chromium).
  if [ ! -x /usr/bin/chromium ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

case "${1:-}" in
  site)
    setup_python ""
    "$VENV/bin/credcat" build
    ;;
  test)
    setup_python "[test]"
    setup_browser
    shift
    "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./tasks.sh site | test [pytest args]" >&2
    exit 2
    ;;
esac
