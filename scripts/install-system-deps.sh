#!/usr/bin/env bash
# Debian packages hkfactor's figures and tests need. Idempotent; does nothing when all are present.
#   fonts-noto-cjk  — CJK glyphs for Chinese labels in PNG/SVG figures
#   r-cran-sna      — R's sna package, the oracle for the Gould–Fernandez brokerage tests
#   chromium        — headless browser the web tests drive through Playwright (tests/web/test_browser.py)
#   r-cran-jsonlite — R reads the brokerage test inputs (tests/chain/reference/*.R)
#   r-cran-igraph   — R reads the exported GraphML in tests/chain/test_export.py
set -euo pipefail
need=()
# (no `grep -q`: it exits early, fc-list dies of SIGPIPE and pipefail would report the font missing)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk fontconfig)
for pkg in sna jsonlite igraph; do
  Rscript -e "quit(status = !requireNamespace('$pkg', quietly = TRUE))" >/dev/null 2>&1 || need+=("r-cran-$pkg")
done
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "note: missing system packages (${need[*]}); install them with apt to run every test" >&2
  exit 0
fi
echo "installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
