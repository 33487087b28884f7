#!/usr/bin/env bash
# Mutation testing of the security-critical guards (signatures, tokens, address rules, limits) with Stryker.NET:
# each guard's code is mutated and its own tests must fail. Run by hand like the benchmarks, never in CI (minutes per
# target). Usage: mutation/run.sh [target ...]   (targets: core channels campaigns; default all)
# Prints each target's score; the HTML and JSON reports land in mutation/reports/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null

run() {
  local target=$1 test_project=$2 project=$3 filter=$4; shift 4
  local output="mutation/reports/$target"
  rm -rf "$output"
  local mutate=()
  for file in "$@"; do mutate+=(-m "**/$file"); done
  echo "== $target: $project, $* (tests: $filter)"
  (cd "$test_project" && dotnet stryker --project "$project" "${mutate[@]}" --test-case-filter "$filter" \
      -c 2 -r ClearText -r Html -r Json -O "$(pwd)/../../$output" --break-at 0) \
    | grep -E "mutants (got|will|created)|score|Killed|Survived|Timeout|NoCoverage" | grep -v "^\s*$" || true
  local report
  report=$(find "$output" -name 'mutation-report.json' | head -1)
  python3 - "$report" "$target" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
counts = {}
for f in report["files"].values():
    for m in f["mutants"]:
        counts[m["status"]] = counts.get(m["status"], 0) + 1
detected = counts.get("Killed", 0) + counts.get("Timeout", 0)
valid = detected + counts.get("Survived", 0) + counts.get("NoCoverage", 0)
print(f"{sys.argv[2]}: {100 * detected / valid:.1f} % ({detected} of {valid} mutants detected; {counts})")
for path, f in report["files"].items():
    for m in f["mutants"]:
        if m["status"] in ("Survived", "NoCoverage"):
            print(f"  {m['status']}: {path.split('/src/')[-1]}:{m['location']['start']['line']} {m['mutatorName']}: {m.get('replacement', '')[:80]}")
PY
}

targets=("${@:-core channels campaigns}")
for target in ${targets[@]}; do
  case "$target" in
    core) run core tests/Crm.Channels.Tests Crm.Core.csproj \
            "FullyQualifiedName~SignedTextTests|FullyQualifiedName~WebhookGuardTests" \
            Security/SignedText.cs Security/SigningKey.cs Webhooks/WebhookSignature.cs Webhooks/WebhookDestinations.cs ;;
    channels) run channels tests/Crm.Channels.Tests Crm.Channels.csproj \
            "FullyQualifiedName~TwilioSignatureTests|FullyQualifiedName~SignedTextTests" \
            WhatsApp/TwilioSignature.cs Chat/VisitorTokens.cs ;;
    campaigns) run campaigns tests/Crm.Campaigns.Tests Crm.Campaigns.csproj \
            "FullyQualifiedName~TrackingTokensTests|FullyQualifiedName~SubscriptionTokensTests" \
            Tracking/TrackingTokens.cs Subscriptions/SubscriptionTokens.cs ;;
    *) echo "unknown target $target (core, channels, campaigns)" >&2; exit 2 ;;
  esac
done
