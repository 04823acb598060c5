#!/usr/bin/env bash
# Side-by-side speed of two builds in one run: the kernel benchmarks (BenchmarkDotNet, in-process, short job) and the
# sampler bench ratio, alternating old, new, old, new so that machine load hits both alike.
# Usage: bench/compare-builds.sh OLD_REV [ENV]   (ENV for the sampler bench, default halfcheetah-vel)
# Prints each run's numbers and writes them under bench/compare-<OLD_REV>/ (git-ignored; quote what a claim needs under results/).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
old="${1:?usage: bench/compare-builds.sh OLD_REV [ENV]}"
env="${2:-halfcheetah-vel}"
tree="$(mktemp -d)/old"
out="$root/bench/compare-$old"
mkdir -p "$out"
git -C "$root" worktree add --detach "$tree" "$old" >/dev/null
trap 'git -C "$root" worktree remove --force "$tree"' EXIT
cp "$root/bench/BoMrl.Benchmarks/KernelBenchmarks.cs" "$tree/bench/BoMrl.Benchmarks/"
for t in "$tree" "$root"; do
  dotnet build "$t/bench/BoMrl.Benchmarks" -c Release -nologo -v quiet >/dev/null
  dotnet build "$t/src/BoMrl.Cli" -c Release -nologo -v quiet >/dev/null
done
export GLIBC_TUNABLES=glibc.cpu.hwcaps=-FMA,-FMA4
for round in 1 2; do
  for side in old new; do
    t="$root"; [ "$side" = old ] && t="$tree"
    echo "== round $round, $side build"
    (cd "$t" && dotnet bench/BoMrl.Benchmarks/bin/Release/net10.0/BoMrl.Benchmarks.dll --filter '*KernelBenchmarks*' \
      --inProcess --job short --exporters csv --artifacts "$out/$side-$round" 2>&1 | grep -E '^\| [A-Z]' || true)
    dotnet "$t/src/BoMrl.Cli/bin/Release/net10.0/BoMrl.Cli.dll" bench sampler --env "$env" --threads 2 2>&1 | tail -4 | tee "$out/$side-$round-sampler.txt"
  done
done
