#!/usr/bin/env bash
# The pgbench concurrency set, short: 8 clients for 15 seconds (the full
# 60-second run is `bash test/concurrency/run.sh`).
set -euo pipefail
PERSONA_SKIP_INSTALL=1 DURATION=${DURATION:-15} bash "$(dirname "$0")/../concurrency/run.sh"
