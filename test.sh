#!/usr/bin/env bash
# Runs every test: installs what the tests talk to (idempotent), builds, runs all test projects, closes with one
# summary line over all of them, and fails if a server the tests started is still running afterwards.
set -uo pipefail
cd "$(dirname "$0")"

bash .ci/install-deps.sh || exit 1
# The tests' PostgreSQL cluster is started once here (the test assemblies also call the idempotent script) and is
# deliberately left running: it holds nothing but throw-away databases and makes the next run faster.
bash .ci/postgres.sh >/dev/null || exit 1
# Once more, with a deadline: the tests call the script again and must not wait on a lock the server kept.
timeout 60 bash .ci/postgres.sh >/dev/null || { echo "test.sh: .ci/postgres.sh does not answer a second call" >&2; exit 1; }

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

# Every server a test starts (the sample host, smtp-sink, Dovecot, Chromium) must be gone by now.
leftovers=$(pgrep -af 'Crm\.WebHost\.dll|smtp-sink|dovecot -F -c /tmp/crm-dovecot|chromium.*--headless' | grep -v pgrep || true)
if [ -n "$leftovers" ]; then
  echo "test.sh: servers started by the tests are still running:" >&2
  echo "$leftovers" >&2
  exit 1
fi
exit "$status"
