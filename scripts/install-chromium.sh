#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (Playwright drives it; no browser download).
# Like install-apertium.sh it never fails the build: without Chromium the browser test skips, or fails
# under TOLK_REQUIRE_SERVICES=1, saying why.
set -u
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "tolk: Chromium not found and this is not a Debian/Ubuntu system; install Chromium for the browser test." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "tolk: Chromium is missing; install it with: sudo apt-get install chromium" >&2
  exit 0
fi
echo "tolk: installing Chromium from the OS packages (for the browser test)…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
  || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq chromium >/dev/null; } \
  || echo "tolk: could not install Chromium; try: sudo apt-get install chromium" >&2
exit 0
