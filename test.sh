#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs native dependencies if missing, builds, tests, packs the
# packages and builds and runs the examples against them (scripts/run-examples.sh), and ends with one plain summary
# line ("N passed, N failed"; the examples count as one test each).
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
bash scripts/run-examples.sh 2>&1 | tee -a "$log" || rc=1
set -e
# One "Passed!/Failed!" line per test project (BoMrl.Tests, BoMrl.Cluster.Tests): summed.
summary=$(grep -E '(Passed|Failed)!' "$log" || true)
if [ -n "$summary" ]; then
  passed=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary" | awk '{s += $1} END {print s}')
  failed=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary" | awk '{s += $1} END {print s}')
  ex_passed=$(grep -Eo '^examples: [0-9]+ passed' "$log" | grep -Eo '[0-9]+' || echo 0)
  ex_failed=$((3 - ex_passed))
  echo "$((passed + ex_passed)) passed, $((failed + ex_failed)) failed"
fi
exit "$rc"
