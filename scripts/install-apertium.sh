#!/usr/bin/env bash
# Installs Apertium and its English-Spanish pair from the OS packages when it can (root or sudo).
# It never fails the build: without Apertium, tolk still works with its HTTP engines, and says so.
set -u
if command -v apertium >/dev/null && [ -d /usr/share/apertium/apertium-eng-spa ]; then
  exit 0
fi
exec "$(dirname "$0")/apt-install.sh" Apertium apertium apertium-eng-spa
