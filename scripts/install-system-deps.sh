#!/usr/bin/env bash
# Install the Debian packages beside the Python ones: LibreOffice reads .doc, .wps, .rtf and
# .odt reports (knowledge/convert.py) and spreadsheets; the Chinese font is for rendered scans.
# Skips what is installed; needs root (CI runs as root on a fresh Debian 12).
#   usage: install-system-deps.sh [package ...]   (default: the packages below)
set -euo pipefail
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
    packages=(libreoffice-writer-nogui libreoffice-calc-nogui fonts-wqy-zenhei)
fi

if ! command -v apt-get >/dev/null; then
    echo "No apt-get here: install ${packages[*]} (or your system's LibreOffice) by hand." >&2
    exit 1
fi
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "System packages already installed: ${packages[*]}"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}. Run: sudo make system-deps" >&2
    exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
