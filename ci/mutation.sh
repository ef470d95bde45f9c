#!/usr/bin/env bash
# Mutation testing of the fast test tier (issue 19). The work is in ci/mutation/mutation.py
# (mutant schemata: every sampled mutant compiled into one build, switched on by KVMUT_ID);
# see docs/testing.md. Usage:
#   ci/mutation.sh [-n N] [-s SEED] [-w WORKDIR] [-t TEST_TIMEOUT_S] [-j JOBS]
#                  [--mode schemata|rebuild] [--diff REF] [--list]
exec python3 "$(dirname "$0")/mutation/mutation.py" "$@"
