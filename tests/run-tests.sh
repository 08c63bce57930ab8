#!/usr/bin/env bash
# The test command (README): runs every test project of the solution. Extra arguments go to `dotnet test`.
# PostgreSQL tests start a throw-away server themselves (tests/postgres/start.sh), installing PostgreSQL with
# apt-get when it is missing; set ORLEANSCAUSAL_TEST_POSTGRES to a connection string to use your own instead.
# The explorer's browser tests drive Debian's chromium through Playwright: it is installed with apt-get when missing
# (needs root, as in CI); Playwright never downloads a browser of its own.
# The OpenAPI lint test runs Redocly CLI: installed from npm into tests/.tools/redocly (gitignored) when missing,
# and found through ORLEANSCAUSAL_REDOCLY.
set -euo pipefail
cd "$(dirname "$0")/.."

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the explorer's browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
export ORLEANSCAUSAL_CHROMIUM=/usr/bin/chromium

redocly_dir="tests/.tools/redocly"
if [ ! -x "$redocly_dir/node_modules/.bin/redocly" ]; then
  if command -v npm >/dev/null; then
    npm install --prefix "$redocly_dir" --no-audit --no-fund @redocly/cli@2.77.0 >&2 || echo "run-tests.sh: npm install @redocly/cli@2.77.0 failed; the OpenAPI lint test will fail" >&2
  else
    echo "run-tests.sh: npm is not installed; the OpenAPI lint test will fail (it needs @redocly/cli)" >&2
  fi
fi
if [ -x "$redocly_dir/node_modules/.bin/redocly" ]; then
  export ORLEANSCAUSAL_REDOCLY="$PWD/$redocly_dir/node_modules/.bin/redocly"
fi
exec dotnet test OrleansCausal.sln --blame-hang-timeout 8m "$@"
