#!/usr/bin/env bash
# Builds the three examples (examples/) against the packages packed from this build, not the projects, and runs them at
# tiny sizes, so a broken package fails the tests. The packages get a version unique to this run, so that no package of
# the same version cached from an earlier run stands in for them. Then the CLI, installed from the same folder as a .NET
# tool, trains and tests the custom task family from its JSON config, and the third example adapts both kinds of run.
# Needs a Release build of the solution (test.sh builds it first). Prints "examples: N passed" or stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S).$$"
feed=artifacts/packages
work=artifacts/examples
rm -rf "$feed" "$work"
mkdir -p "$feed" "$work"
for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release --no-build -nologo -v quiet -p:PackageVersion="$version" -o "$feed"
done
for example in TrainBuiltIn CustomFamily AdaptAndRun; do
  dotnet build "examples/$example" -c Release -nologo -v quiet -p:BoMrlVersion="$version"
done
dotnet tool install --tool-path "$work/tool" --add-source "$feed" BoMrl.Cli --version "$version" >/dev/null
passed=0
step() { echo "== examples: $*"; }

step "1. meta-train BO-MRL on navigation2d from C# (2 iterations of 2 tasks)"
dotnet examples/TrainBuiltIn/bin/Release/net10.0/TrainBuiltIn.dll "$work/navigation" 2 2 4
passed=$((passed + 1))

step "2. a custom task family: from C#, then from its JSON config with the packed CLI"
dotnet examples/CustomFamily/bin/Release/net10.0/CustomFamily.dll "$work/line1d" 2
"$work/tool/bomrl" train --config examples/CustomFamily/line1d.json --iterations 2 --out "$work/line1d-cli"
"$work/tool/bomrl" test --run "$work/line1d-cli" --steps 1 --tasks 4
passed=$((passed + 1))

step "3. load a trained run, adapt to one task, run the adapted policy"
dotnet examples/AdaptAndRun/bin/Release/net10.0/AdaptAndRun.dll "$work/navigation" 0.3 -0.2
dotnet examples/AdaptAndRun/bin/Release/net10.0/AdaptAndRun.dll "$work/line1d-cli" 0.5
passed=$((passed + 1))
echo "examples: $passed passed"
