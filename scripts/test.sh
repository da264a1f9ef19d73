#!/usr/bin/env bash
# Runs every test and ends with one line: "N passed, M failed", counting
#   - the xunit tests of every test project of the solution (tests/L2LOnnx.*.Tests, from their trx files),
#   - the documentation check (scripts/snippets.py: every C# block is a copy of compiled code), one test,
#   - the package checks (scripts/consumer.sh: pack, install the tool, build and run the consumer
#     samples from the local feed), one test per check.
# Sets up the machine first (idempotent; see scripts/setup.sh). Extra arguments go to `dotnet test`,
# e.g. scripts/test.sh --filter FullyQualifiedName~L2LOnnx.Runtime.Tests; a filtered run skips the
# package checks.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }

results="$root/out/test-results"
rm -rf "$results"
# One test project at a time (-m:1): the TorchSharp projects each use both cores and much memory, and
# would only slow each other down (and break the memory tests' bounds) if run side by side.
# The whole solution is built first, so tests that run a built program (the CUDA sample) find it
# whatever order the test projects run in.
dotnet build L2LOnnx.sln -c Release --nologo -v q
status=$?
if [ $status -eq 0 ]; then
  dotnet test L2LOnnx.sln -c Release --no-build --nologo -v q -m:1 --logger "trx;LogFilePrefix=results" --results-directory "$results" "$@"
  status=$?
fi

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
  failed=$((failed + 1))
fi

if /usr/bin/python3 scripts/snippets.py; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

if [ $# -eq 0 ]; then
  mkdir -p "$results"
  scripts/consumer.sh 2>&1 | tee "$results/consumer.log"
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$results/consumer.log" | tail -n 1)
  if [ -n "$summary" ]; then
    passed=$((passed + $(cut -d' ' -f1 <<<"$summary"))); failed=$((failed + $(cut -d' ' -f3 <<<"$summary")))
  else
    echo "scripts/consumer.sh ended without its summary line"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
