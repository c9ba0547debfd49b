#!/usr/bin/env bash
# Installs the Debian packages the tests use: bubblewrap (sandbox) and chromium (report tests).
# With arguments, only those packages (`make demo` needs bubblewrap only).
# Without root (a student's laptop) it says what is missing and goes on: the sandbox then
# falls back to resource limits and the browser tests skip with a reason.
set -u
want=("$@")
[ ${#want[@]} -eq 0 ] && want=(bubblewrap chromium)
need=()
for pkg in "${want[@]}"; do
  case "$pkg" in
    bubblewrap) command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap) ;;
    *) command -v "$pkg" >/dev/null 2>&1 || need+=("$pkg") ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} with apt-get"
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
    || echo "warning: apt-get could not install ${need[*]}; the tests that need them will skip"
else
  echo "note: ${need[*]} not installed (needs root and apt-get); the tests that need them will skip"
fi
exit 0
