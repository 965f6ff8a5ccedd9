#!/usr/bin/env bash
# Checks that every code snippet in docs/plugin-guide.md is a verbatim copy
# of compiled code. In the guide, a snippet is a fenced block right after
#   <!-- snippet: PATH#NAME -->   (or PATH alone for the whole file)
# where PATH is relative to the repository and NAME marks a region in it:
#   // guide-snippet: NAME      (any comment style: "#" works too)
#   ...
#   // guide-snippet-end
# C, C++ and CMake blocks without such a marker are refused, since nothing
# would compile them.
#
# usage: sdk/guide_snippets/check_guide.sh <repository root>
set -euo pipefail

root=${1:?usage: $0 <repository root>}
guide=$root/docs/plugin-guide.md
[[ -f $guide ]] || { echo "no $guide" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Split the guide's snippets into $work/N.spec (PATH#NAME) and $work/N.code.
awk -v out="$work" '
  /^<!-- snippet: [^ ]+ -->$/ { pending = $3; next }
  /^```/ {
    if (!in_fence) {
      in_fence = 1
      lang = substr($0, 4)
      if (pending != "") {
        n++
        spec_file = out "/" n ".spec"; code_file = out "/" n ".code"
        print pending > spec_file; close(spec_file)
        printf "" > code_file
        capturing = 1
      } else if (lang ~ /^(c|cpp|c\+\+|h|hpp|cmake)$/) {
        printf "docs/plugin-guide.md:%d: ```%s block without a <!-- snippet: --> marker\n", NR, lang > "/dev/stderr"
        bad = 1
      }
      pending = ""
    } else {
      in_fence = 0
      if (capturing) close(code_file)
      capturing = 0
    }
    next
  }
  capturing { print >> code_file; next }
  pending != "" && $0 != "" { pending = "" }
  END {
    if (in_fence) { print "docs/plugin-guide.md: unterminated code block" > "/dev/stderr"; bad = 1 }
    exit bad
  }
' "$guide" || exit 1

status=0
count=0
for spec_file in "$work"/*.spec; do
  [[ -e $spec_file ]] || break
  spec=$(cat "$spec_file")
  code=${spec_file%.spec}.code
  path=${spec%%#*}
  name=""
  [[ $spec == *#* ]] && name=${spec#*#}
  source=$root/$path
  if [[ ! -f $source ]]; then
    echo "snippet $spec: no file $path" >&2
    status=1
    continue
  fi
  if [[ -z $name ]]; then
    cp "$source" "$work/expected"
  else
    awk -v name="$name" '
      $0 ~ ("guide-snippet: " name "[[:space:]]*$") { inside = 1; found = 1; next }
      inside && /guide-snippet-end/ { inside = 0; next }
      inside { print }
      END { exit found ? 0 : 1 }
    ' "$source" > "$work/expected" || {
      echo "snippet $spec: no region \"guide-snippet: $name\" in $path" >&2
      status=1
      continue
    }
  fi
  if ! diff -u --label "$path ($name)" --label "docs/plugin-guide.md" "$work/expected" "$code" >&2; then
    echo "snippet $spec differs from its source (above); copy the source into the guide" >&2
    status=1
  fi
  count=$((count + 1))
done
if ((count == 0)); then
  echo "docs/plugin-guide.md has no snippets" >&2
  exit 1
fi
((status == 0)) && echo "$count guide snippets match their sources"
exit $status
