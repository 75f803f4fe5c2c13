#!/usr/bin/env bash
# The Debian packages the test suite needs, installed when missing.
#   chromium             the browser journeys (Playwright drives Debian's build, never a download)
#   poppler-utils        pdftotext and pdfinfo read the label PDFs
#   libharfbuzz-subset0  WeasyPrint embeds fonts with it (it warns without it; warnings are errors)
# As root with apt-get the missing ones are installed; otherwise this names the command to run
# and fails, so `make test` never starts a suite that cannot pass.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || missing+=(libharfbuzz-subset0)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the Debian packages the tests need: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  exit 0
fi
echo "The tests need these Debian packages, which are missing: ${missing[*]}" >&2
echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
echo "(then run make test again)" >&2
exit 1
