#!/usr/bin/env bash
# No source file in hal/src, sdk/ or plugins/*/src is over 600 lines (issue
# 12: a file per object, each one read whole). Lists the files over it.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=600
over=$(find hal/src sdk plugins/*/src -type f \
  \( -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \) -exec wc -l {} + |
  awk -v limit="$limit" '$2 != "total" && $1 > limit')
if [[ -n $over ]]; then
  echo "over $limit lines:"
  echo "$over"
  exit 1
fi
echo "no source file in hal/src, sdk/ or plugins/*/src is over $limit lines"
