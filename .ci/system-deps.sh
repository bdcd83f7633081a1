#!/usr/bin/env bash
# Install the system packages clusterprint needs, only where missing (Debian/Ubuntu, as root or with sudo).
#   WeasyPrint: Pango (with HarfBuzz and fontconfig) and a font;
#   tests: poppler-utils (pdftoppm, for looking at PDF pages) and Chromium for the browser test.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core poppler-utils chromium; do
  have "$pkg" || need+=("$pkg")
done
# Debian's own Python needs python3-venv (ensurepip) before `python3 -m venv` works
if ! "${PY:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1; then
  need+=("python3-venv")
fi
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
echo "installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
