#!/usr/bin/env bash
# Runs the local runtime's test suites (the engine's unit tests in test/core and the black-box tests in test/local)
# on a supported Node LTS, beside the main build on the machine's own Node. The Node comes from the npm registry's
# node-linux-<arch> package (pinned below; it carries the headers the better-sqlite3 build needs, through
# npm_config_nodedir), and the suites run in a copy of the tracked files with its own node_modules, because a native
# module built for one Node does not load in another: the main build's node_modules is left untouched.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_LTS_VERSION="${NODE_LTS_VERSION:-26.12.1}"
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-lts: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac

dir="$(mktemp -d "${TMPDIR:-/tmp}/cdk-serverless-timer-node-${NODE_LTS_VERSION}.XXXXXX")"
trap 'rm -rf "$dir"' EXIT
started=$SECONDS

(cd "$dir" && npm pack --silent "node-linux-${arch}@${NODE_LTS_VERSION}" >/dev/null && tar xzf node-linux-*.tgz && mv package node)
export PATH="$dir/node/bin:$PATH" npm_config_nodedir="$dir/node"
[ "$(node --version)" = "v${NODE_LTS_VERSION}" ] || { echo "node-lts: expected node v${NODE_LTS_VERSION}, got $(node --version)" >&2; exit 1; }

repo="$PWD"
mkdir "$dir/work"
git ls-files -z | xargs -0 cp --parents -t "$dir/work"
cd "$dir/work"
npm ci --no-audit --no-fund --loglevel=error
npx jest test/core test/local --ci --coverage=false --reporters=default --reporters=jest-junit
python3 "$repo/.ci/junit-summary.py" junit.xml "jest on node ${NODE_LTS_VERSION} (test/core, test/local, $((SECONDS - started)) s)"

# The black-box and adapter suites again on Node's built-in node:sqlite, the driver of an install without
# better-sqlite3 (src/local/sqlite-driver.ts).
started=$SECONDS
CDK_SERVERLESS_TIMER_SQLITE=node JEST_JUNIT_OUTPUT_NAME=junit-node-sqlite.xml \
  npx jest test/local --ci --coverage=false --reporters=default --reporters=jest-junit
python3 "$repo/.ci/junit-summary.py" junit-node-sqlite.xml "jest on node ${NODE_LTS_VERSION} with node:sqlite (test/local, $((SECONDS - started)) s)"
