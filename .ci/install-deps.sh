#!/usr/bin/env bash
# Installs the system services the test suite talks to for real: PostgreSQL,
# Postfix's smtp-sink, Dovecot IMAP, Chromium, wrk and dkimpy. Idempotent: it only
# calls apt when a binary is missing, and runs `apt-get update` once per call.
set -euo pipefail

need=()
command -v smtp-sink >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ] || need+=(postfix)
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# An independent DKIM verifier (dkimpy) for the signing tests, next to MimeKit's own.
/usr/bin/python3 -c "import dkim" >/dev/null 2>&1 || need+=(python3-dkim)

if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  echo "install-deps: installing ${need[*]}"
  $SUDO apt-get update -qq
  # postfix asks how it should be configured; "No configuration" keeps it from
  # touching the machine's mail setup: we only want smtp-sink.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-deps: ok"
