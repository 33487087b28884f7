#!/usr/bin/env bash
# Runs every test: installs what the tests talk to (idempotent), builds, runs all test projects,
# and closes with one summary line over all of them.
set -uo pipefail
cd "$(dirname "$0")"

bash .ci/install-deps.sh || exit 1

log=$(mktemp)
dotnet test Crm.Libraries.sln --configuration Release --blame-hang-timeout 10m \
  --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# dotnet test prints one "Passed!/Failed! - Failed: F, Passed: P, Skipped: S" line per test assembly.
awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(/ /, "", $i)
      if ($i ~ /Failed$/ && i < NF) f += $(i + 1)
      if ($i == "Passed") p += $(i + 1)
      if ($i == "Skipped") s += $(i + 1)
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
