#!/usr/bin/env bash
# Installs Apertium and its English-Spanish pair from the OS packages when it can (root or sudo).
# It never fails the build: without Apertium, tolk still works with its HTTP engines, and says so.
set -u
if command -v apertium >/dev/null && [ -d /usr/share/apertium/apertium-eng-spa ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "tolk: Apertium not found and this is not a Debian/Ubuntu system; install 'apertium' and 'apertium-eng-spa' with your package manager." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "tolk: Apertium is missing; install it with: sudo apt-get install apertium apertium-eng-spa" >&2
  exit 0
fi
echo "tolk: installing Apertium (apertium, apertium-eng-spa) from the OS packages…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq apertium apertium-eng-spa >/dev/null \
  || echo "tolk: could not install Apertium; try: sudo apt-get install apertium apertium-eng-spa" >&2
exit 0
