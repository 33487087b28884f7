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

# Every process this run starts inherits this marker: the leftover check below looks only at this run's processes, so
# two runs on one machine (two checkouts, a developer and CI) do not fail each other.
export CRM_TEST_RUN="crm-test-run-$$-$(date +%s%N)"
log=$(mktemp)
# The TypeScript packages and the React Router sample: installed from their committed lockfiles, built (the .NET
# tests read the builds: the widget and OpenAPI drift tests, the browser tests of the React app), unit-tested.
node_status=0
for workspace in clients samples/RemixApp; do
  (cd "$workspace" && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test) 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || node_status=1
done

dotnet test Crm.Libraries.sln --configuration Release --blame-hang-timeout 10m \
  --logger "console;verbosity=minimal" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
[ "$node_status" -eq 0 ] || status=1

# dotnet test prints one "Passed!/Failed! - Failed: F, Passed: P, Skipped: S" line per test assembly; vitest one
# "Tests  F failed | P passed | S skipped (N)" line per package.
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk -F'[:,]' '
  /(Passed|Failed)! +- +Failed:/ {
    for (i = 1; i <= NF; i++) {
      gsub(/ /, "", $i)
      if ($i ~ /Failed$/ && i < NF) f += $(i + 1)
      if ($i == "Passed") p += $(i + 1)
      if ($i == "Skipped") s += $(i + 1)
    }
    next
  }
  /^ *Tests +[0-9]/ {
    n = split($0, parts, /[|(]/)
    for (i = 1; i <= n; i++) {
      if (parts[i] ~ /passed/) { gsub(/[^0-9]/, "", parts[i]); p += parts[i] }
      else if (parts[i] ~ /failed/) { gsub(/[^0-9]/, "", parts[i]); f += parts[i] }
      else if (parts[i] ~ /skipped/) { gsub(/[^0-9]/, "", parts[i]); s += parts[i] }
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
rm -f "$log"

# Every server a test starts (the sample host, smtp-sink, Dovecot, Chromium) must be gone by now.
leftovers=""
for pid in $(pgrep -f 'Crm\.WebHost\.dll|smtp-sink|dovecot -F -c /tmp/crm-dovecot|chromium.*--headless|RemixApp/build/server' || true); do
  if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "CRM_TEST_RUN=$CRM_TEST_RUN"; then
    leftovers+="$(ps -o pid=,args= -p "$pid" 2>/dev/null)"$'\n'
  fi
done
leftovers=${leftovers%$'\n'}
if [ -n "$leftovers" ]; then
  echo "test.sh: servers started by the tests are still running:" >&2
  echo "$leftovers" >&2
  exit 1
fi
exit "$status"
