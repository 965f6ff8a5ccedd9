#!/usr/bin/env bash
# Every tracked C/C++ file is clang-formatted (.clang-format), but the frozen
# ABI headers under tests/abi, which stay byte-for-byte as they were
# released. Exit 77 (skipped) without clang-format or outside a git checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "SKIP: clang-format not installed"; exit 77; }
git rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIP: not a git checkout"; exit 77; }
git ls-files '*.c' '*.cpp' '*.h' '*.hpp' ':!tests/abi/*' | xargs clang-format --dry-run -Werror
echo "clang-format: every tracked C/C++ file is formatted"
