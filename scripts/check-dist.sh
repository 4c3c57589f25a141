#!/usr/bin/env bash
# Fails when the committed dist/ is not what the sources build to (actions/checkout's check-dist).
set -euo pipefail
npm run build >/dev/null
if [ -n "$(git status --porcelain -- dist)" ]; then
  echo "dist/ differs from a fresh build of the sources: run 'npm run build' and commit dist/." >&2
  git status --short -- dist >&2
  git diff --stat -- dist >&2 || true
  exit 1
fi
echo "dist/ is up to date"
