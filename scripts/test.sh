#!/usr/bin/env bash
# `npm test`: build, unit tests, then end-to-end tests against two local registries.
# As root (CI): prepares the host (scripts/setup-host.sh), runs the e2e tests as the unprivileged
# user rootless-test, then the root-path tests as root. As a user: unit tests, and the e2e tests
# as that user when newuidmap and docker-registry are installed.
# Ends with one line `N passed, M failed[, K skipped]` summing every uvu suite; exits 1 on failure.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
TEST_USER="${ROOTLESS_TEST_USER:-rootless-test}"
REGISTRY_BINARY=/usr/bin/docker-registry
# Tools from node_modules directly: `npx` would fetch an unrelated package when one is missing.

passed=0 failed=0 skipped=0
WORK=""
WORK_LOGS=""

log() { printf '\n== %s\n' "$*"; }

summary() {
  local line="$passed passed, $failed failed"
  [ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
  echo
  echo "$line"
}

finish() {
  local status=$?
  if [ -n "$WORK" ]; then
    [ -f "$WORK/env.json" ] && node dist/test/e2e/setup/main.js stop "$WORK/env.json"
    # a user cannot remove files of its subordinate ids itself; a user namespace with its ranges can
    [ "$(id -u)" -ne 0 ] && unshare --map-auto --map-root-user rm -rf "$WORK" 2>/dev/null
    rm -rf "$WORK"
  fi
  [ -n "$WORK_LOGS" ] && rm -rf "$WORK_LOGS"
  summary
  if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then exit 1; fi
  exit 0
}
trap finish EXIT
trap 'step_failed "the run (interrupted)"; exit 130' INT TERM HUP

# A step that is not a uvu suite (setup, build): its failure counts as one failed test.
step_failed() {
  echo "test.sh: $1 failed" >&2
  failed=$((failed + 1))
}

# Runs one uvu suite (a command), shows its output and adds its Total/Passed/Skipped to the sums.
# (Suites run under `timeout --foreground`, so a ^C still reaches them.)
# uvu counts a test whose `before` hook threw as not passed but still exits 0: Total - Passed
# is what failed. A run that printed no totals (crash, timeout) counts as one failure.
run_suite() {
  local name="$1"
  shift
  local output="$WORK_LOGS/$name.log"
  "$@" 2>&1 | tee "$output"
  local status="${PIPESTATUS[0]}"
  local clean total pass skip
  clean="$(sed 's/\x1b\[[0-9;]*m//g' "$output")"
  total="$(sed -n 's/^ *Total: *\([0-9][0-9]*\).*/\1/p' <<<"$clean" | tail -n1)"
  pass="$(sed -n 's/^ *Passed: *\([0-9][0-9]*\).*/\1/p' <<<"$clean" | tail -n1)"
  skip="$(sed -n 's/^ *Skipped: *\([0-9][0-9]*\).*/\1/p' <<<"$clean" | tail -n1)"
  if [ -z "$total" ] || [ -z "$pass" ]; then
    echo "test.sh: the $name suite printed no totals (exit $status)" >&2
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + pass))
  failed=$((failed + total - pass))
  skipped=$((skipped + ${skip:-0}))
  if [ "$status" -ne 0 ] && [ "$total" -eq "$pass" ]; then
    echo "test.sh: the $name suite exited $status" >&2
    failed=$((failed + 1))
  fi
}

has_tests() { [ -d "$1" ] && [ -n "$(find "$1" -name '*.test.js' -print -quit)" ]; }

WORK_LOGS="$(mktemp -d /tmp/rootless-test-logs.XXXXXX)"

if [ "$(id -u)" -eq 0 ]; then
  log "host setup"
  bash scripts/setup-host.sh || { step_failed "scripts/setup-host.sh"; exit 1; }
fi

log "build"
{ node node_modules/typescript/bin/tsc -p . && node scripts/bundle.mjs; } || { step_failed "the build (tsc, scripts/bundle.mjs)"; exit 1; }

log "unit tests"
if has_tests dist/test/unit; then
  run_suite unit timeout --foreground --kill-after=10 180 node node_modules/uvu/bin.js dist/test/unit '\.test\.js$'
else
  echo "no unit tests in dist/test/unit"
fi

# Who runs the e2e tests, from where: an unprivileged user that may not be able to read this
# checkout (CI clones under a 0700 directory) gets a world-readable copy of what it needs.
e2e_runner=""
if [ "$(id -u)" -eq 0 ]; then
  e2e_runner="$TEST_USER"
elif command -v newuidmap >/dev/null && [ -x "$REGISTRY_BINARY" ]; then
  e2e_runner="$(id -un)"
else
  echo
  echo "e2e tests not run: they need newuidmap (uidmap) and $REGISTRY_BINARY (docker-registry)."
  echo "Run them with: sudo npm test   (it installs both and creates the test user $TEST_USER)"
fi

run_root_tests=false
[ "$(id -u)" -eq 0 ] && has_tests dist/test/root && run_root_tests=true

if [ -n "$e2e_runner" ] && { has_tests dist/test/e2e || $run_root_tests; }; then
  log "e2e test setup: registries and test images"
  # One run at a time owns ports 5000/5001: a second run waits, and the setup may then treat any
  # registry of ours still running as a leftover of a killed run (the registries must not inherit fd 9).
  lock=/tmp/rootless-e2e.lock
  { : >>"$lock" && chmod 0666 "$lock"; } 2>/dev/null
  exec 9<"$lock"
  if ! flock -w 900 9; then
    step_failed "waiting for another test run to release $lock"
    exit 1
  fi
  for stale in /tmp/rootless-e2e.??????; do
    [ -d "$stale" ] && echo "removing $stale, left by a killed run" && rm -rf "$stale" 2>/dev/null
  done
  WORK="$(mktemp -d /tmp/rootless-e2e.XXXXXX)"
  chmod 0755 "$WORK"
  uid="$(id -u "$e2e_runner")"
  gid="$(id -g "$e2e_runner")"
  install -d -m 0700 -o "$uid" -g "$gid" "$WORK/sandboxes"
  if ! ROOTLESS_TEST_UID="$uid" ROOTLESS_TEST_GID="$gid" node dist/test/e2e/setup/main.js start "$WORK/env.json" 9<&-; then
    step_failed "the e2e test setup (registries and test images)"
    exit 1
  fi
fi

if [ -n "$e2e_runner" ] && has_tests dist/test/e2e; then
  app="$REPO"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u "$e2e_runner" -- test -r "$REPO/dist/lib/cli/main.js" -a -r "$REPO/node_modules/execa/package.json"; then
    app="$WORK/app"
    echo "$e2e_runner cannot read $REPO: running the e2e tests from a copy in $app"
    mkdir -p "$app"
    cp -r package.json bin dist "$app/"
    cp -r --dereference node_modules "$app/"
    chmod -R a+rX "$app"
  fi
  log "e2e tests as $e2e_runner"
  e2e_env=("ROOTLESS_E2E_ENV=$WORK/env.json" "ROOTLESS_E2E_TMP=$WORK/sandboxes")
  uvu_e2e=(node node_modules/uvu/bin.js dist/test/e2e '\.test\.js$')
  if [ "$(id -u)" -eq 0 ]; then
    e2e_env+=(
      "HOME=$(getent passwd "$e2e_runner" | cut -d: -f6)" "XDG_RUNTIME_DIR=/run/user/$uid"
      "PATH=$(dirname "$(command -v node)"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
      "LANG=C.UTF-8" "CI=${CI:-}"
    )
    run_suite e2e timeout --foreground --kill-after=10 420 runuser -u "$e2e_runner" -- env -i "${e2e_env[@]}" sh -c 'cd "$1" && shift && exec "$@"' sh "$app" "${uvu_e2e[@]}"
  else
    run_suite e2e timeout --foreground --kill-after=10 420 env "${e2e_env[@]}" "${uvu_e2e[@]}"
  fi
fi

if $run_root_tests && [ -n "$WORK" ]; then
  log "root-path tests as root"
  run_suite root timeout --foreground --kill-after=10 240 env ROOTLESS_E2E_ENV="$WORK/env.json" ROOTLESS_E2E_TMP="$WORK/root-sandboxes" \
    node node_modules/uvu/bin.js dist/test/root '\.test\.js$'
fi
