#!/usr/bin/env bash
# The demo that runs today: topology discovery, validation and planning, each step shown
# before it runs. Stops at the first failing step.
set -euo pipefail
mcprov=${1:-.build/release/mcprov}
fixtures=${2:-../shared/fixtures/topologies}

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
show() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }
step() { show "$@"; "$@"; }

step "$mcprov" topology
step "$mcprov" topology --topology "$fixtures/knl-64c-quadrant-flat.real.xml"
step "$mcprov" validate profiles/knl-quad.yaml --topology "$fixtures/knl-64c-quadrant-flat.real.xml"
step "$mcprov" plan profiles/knl-quad.yaml --topology "$fixtures/knl-64c-quadrant-flat.real.xml"
step "$mcprov" plan profiles/knl-snc4-flat.yaml --topology "$fixtures/knl-64c-snc4-flat.real.xml"
step "$mcprov" plan profiles/xeon-2s.yaml --topology "$fixtures/xeon-skylake-2s-48c.real.xml"

# A profile that does not fit: every problem at once, and a non-zero exit.
show "$mcprov" validate profiles/knl-quad.yaml --topology "$fixtures/xeon-skylake-2s-48c.real.xml"
status=0
"$mcprov" validate profiles/knl-quad.yaml --topology "$fixtures/xeon-skylake-2s-48c.real.xml" || status=$?
if [ "$status" -ne 1 ]; then
  echo "demo: expected exit status 1 for a KNL profile on a Xeon node, got $status" >&2
  exit 1
fi
echo "(exit status $status, as expected: the profile does not fit this node)"
