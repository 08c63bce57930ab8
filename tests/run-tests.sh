#!/usr/bin/env bash
# The test command (README): runs every test project of the solution. Extra arguments go to `dotnet test`.
# PostgreSQL tests start a throw-away server themselves (tests/postgres/start.sh), installing PostgreSQL with
# apt-get when it is missing; set ORLEANSCAUSAL_TEST_POSTGRES to a connection string to use your own instead.
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet test OrleansCausal.sln --blame-hang-timeout 8m "$@"
