#!/usr/bin/env bash
# apt-install.sh WHAT PACKAGE... — installs Debian packages when it can (root or password-less sudo).
# It never fails the build: it says what to run instead, and the caller carries on without WHAT.
set -u
what=$1; shift
if ! command -v apt-get >/dev/null; then
  echo "tolk: $what not found and this is not a Debian/Ubuntu system; install $* with your package manager." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "tolk: $what is missing; install it with: sudo apt-get install $*" >&2
  exit 0
fi
echo "tolk: installing $what ($*) from the OS packages…" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq "$@" >/dev/null 2>&1 \
  || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq "$@" >/dev/null; } \
  || echo "tolk: could not install $what; try: sudo apt-get install $*" >&2
exit 0
