#!/usr/bin/env bash
# What the suite needs from Debian: Chromium for the browser tests, Noto CJK fonts (pages and PDFs
# in Chinese), Pango for WeasyPrint, poppler-utils (pdffonts) to check that PDFs embed their fonts.
# Installs what is missing when run as root (or with sudo); says what is missing otherwise.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpangoft2-1.0-0)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  echo "Missing system packages (${need[*]}) and no root: the tests that need them will skip, saying why." >&2
  exit 0
fi
echo "Installing ${need[*]} from Debian's packages."
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
