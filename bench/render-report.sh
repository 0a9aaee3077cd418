#!/usr/bin/env bash
# Renders a run's HTML report in headless Chromium (Debian's `chromium`): runs the demo into a
# fresh state folder, takes a screenshot of its report, and fails unless the page loads
# without console errors, its DOM holds the five charts, and the screenshot is not blank.
#
#   bash bench/render-report.sh        (CI runs it after the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { echo "render-report: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
swift build --product etl >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.build/debug/etl run demo --state "$work/state" >/dev/null 2>&1
page=$(.build/debug/etl report --state "$work/state")
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,2400)
chromium "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$page" >"$work/dom.html" 2>"$work/console.txt"
chromium "${flags[@]}" --screenshot="$work/report.png" "file://$page" >/dev/null 2>&1
if grep -E "CONSOLE|Uncaught|SyntaxError" "$work/console.txt"; then
    echo "render-report: the page logged errors" >&2
    exit 1
fi
charts=$(grep -o "<svg" "$work/dom.html" | wc -l)
[ "$charts" -eq 5 ] || { echo "render-report: expected 5 charts in the rendered DOM, found $charts" >&2; exit 1; }
size=$(stat -c %s "$work/report.png")
[ "$size" -gt 50000 ] || { echo "render-report: the screenshot is $size bytes; the page looks blank" >&2; exit 1; }
echo "render-report: $page rendered: 5 charts, no console errors, screenshot $size bytes"
