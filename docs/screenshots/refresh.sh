#!/usr/bin/env bash
# The README's screenshots are taken by the browser tests (tests/Crm.Ui.Tests) from the running sample host and written
# to artifacts/screenshots. After a test run, this copies the ones the README and docs/ show, so the pictures stay current.
set -euo pipefail
cd "$(dirname "$0")/../.."
for name in bulk-email-editor campaign-detail chat-widget inbox webhooks; do
  cp "artifacts/screenshots/$name.png" "docs/screenshots/$name.png"
done
echo "docs/screenshots refreshed from artifacts/screenshots"
