#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs native dependencies if missing, builds, tests,
# and ends with one plain summary line ("N passed, N failed").
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Build the whole solution first (the benchmarks too, which dotnet test alone would not compile).
dotnet build BoMrl.slnx -c Release -nologo
set +e
dotnet test BoMrl.slnx -c Release --no-build "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One "Passed!/Failed!" line per test project (BoMrl.Tests, BoMrl.Cluster.Tests): summed.
summary=$(grep -E '(Passed|Failed)!' "$log" || true)
if [ -n "$summary" ]; then
  passed=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary" | awk '{s += $1} END {print s}')
  failed=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary" | awk '{s += $1} END {print s}')
  echo "${passed} passed, ${failed} failed"
fi
exit "$rc"
