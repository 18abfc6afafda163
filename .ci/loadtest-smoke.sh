#!/usr/bin/env bash
# The load test's smoke run, twice, against the local runtime of `npm start` (loadtest/run.mjs starts one on a free
# port with a temporary database):
#   1. as is: it must pass (exit 0), its per-minute table and report written;
#   2. with the runtime's process stopped (SIGSTOP) for 70 s inside the firing window: it must fail, on late minutes.
# Each run takes about two and a half minutes. The load test's dependencies are installed by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../loadtest"
out="$(mktemp -d "${TMPDIR:-/tmp}/cdk-serverless-timer-smoke.XXXXXX")"
trap 'rm -rf "$out"' EXIT

started=$SECONDS
if ! node run.mjs --smoke --output "$out/smoke.json" > "$out/pass.log" 2>&1; then
  cat "$out/pass.log"
  echo "loadtest smoke: FAILED against a healthy runtime (log above)" >&2
  exit 1
fi
grep -q '^firing window: ' "$out/pass.log" || { cat "$out/pass.log"; echo "loadtest smoke: no firing window line" >&2; exit 1; }
[ -s "$out/smoke.html" ] && [ -s "$out/smoke.png" ] || { echo "loadtest smoke: report not written beside --output" >&2; exit 1; }
sed -n '/^Per minute of ScheduledAt/,/^loadtest: pass/p' "$out/pass.log"
pass_seconds=$((SECONDS - started))

started=$SECONDS
if node run.mjs --smoke --pause-runtime 70 > "$out/paused.log" 2>&1; then
  cat "$out/paused.log"
  echo "loadtest smoke: PASSED although the runtime was paused for 70 s inside the window (log above)" >&2
  exit 1
fi
grep -q 'late: p99' "$out/paused.log" || { cat "$out/paused.log"; echo "loadtest smoke: the paused run failed, but not on lateness" >&2; exit 1; }
grep '^loadtest: fail: ' "$out/paused.log" | head -5
echo "loadtest smoke: passed in ${pass_seconds} s; with the runtime paused for 70 s it failed as it must, in $((SECONDS - started)) s"
