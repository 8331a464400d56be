#!/usr/bin/env bash
# Set up on a fresh clone, index the default collection, and serve it.
#   GALLERY            folder to index (default: ../shared/datasets/caltech101/gallery)
#   COLLECTION         collection name (default: caltech)
#   IMSEARCH_MODEL_DIR model store (default: ../shared/models)
#   IMSEARCH_DATA      data directory (default: ./data)
#   PORT, HOST         where the server listens (default 4000 on 127.0.0.1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-system-deps.sh
[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci
npm run build
export IMSEARCH_MODEL_DIR="${IMSEARCH_MODEL_DIR:-$root/../shared/models}"
export IMSEARCH_DATA="${IMSEARCH_DATA:-$root/data}"
gallery="${GALLERY:-$root/../shared/datasets/caltech101/gallery}"
collection="${COLLECTION:-caltech}"
node dist/cli/main.js index "$gallery" --collection "$collection"
exec node dist/cli/main.js serve --collection "$collection" --port "${PORT:-4000}" --host "${HOST:-127.0.0.1}"
