#!/usr/bin/env bash
# Runs every test project of the solution (tests/L2LOnnx.*.Tests) and ends with one line:
# "N passed, M failed", summed over the projects' trx files.
# Sets up the machine first (idempotent; see scripts/setup.sh). Extra arguments go to `dotnet test`,
# e.g. scripts/test.sh --filter FullyQualifiedName~L2LOnnx.Runtime.Tests
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }

results="$root/out/test-results"
rm -rf "$results"
# One test project at a time (-m:1): the TorchSharp projects each use both cores and much memory, and
# would only slow each other down (and break the memory tests' bounds) if run side by side.
dotnet test L2LOnnx.sln -c Release --nologo -v q -m:1 --logger "trx;LogFilePrefix=results" --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ $status -ne 0 ] && [ $failed -eq 0 ]; then
  echo "dotnet test exited with $status (build error or crashed test host): see the output above"
  failed=1
fi
echo "$passed passed, $failed failed"
[ $status -eq 0 ] && [ $failed -eq 0 ]
