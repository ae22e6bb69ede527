#!/usr/bin/env bash
# Installs Debian's Chromium for the browser test (Playwright drives it; no browser download).
# It never fails the build: without Chromium the browser test skips, or fails under
# TOLK_REQUIRE_SERVICES=1, saying why.
set -u
if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
  exit 0
fi
exec "$(dirname "$0")/apt-install.sh" Chromium chromium
