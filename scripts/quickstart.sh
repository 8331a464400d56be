#!/usr/bin/env bash
# Set up on a fresh clone, index the default collection, and serve it.
#   GALLERY            folder to index (default: ../shared/datasets/caltech101/gallery)
#   COLLECTION         collection name (default: caltech)
#   IMSEARCH_MODEL_DIR model store (default: ../shared/models)
#   IMSEARCH_DATA      data directory (default: ./data)
#   PORT, HOST         where the server listens (default 4000 on 127.0.0.1)
#   FIT                1 (default): fit the learned metric after indexing (the headline quality); 0: plain cosine
#   FLIP               1 (default): also embed each photo's mirror (flip test-time augmentation, part of the
#                      headline configuration); 0: the photo alone (indexing takes about 60 % of the time)
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
for flag in FIT FLIP; do
  case "${!flag:-1}" in 0 | 1) ;; *) echo "quickstart: $flag must be 0 or 1, not '${!flag}'" >&2; exit 2 ;; esac
done
flip=()
[ "${FLIP:-1}" = 1 ] && flip=(--flip)
node dist/cli-bundle/main.js index "$gallery" --collection "$collection" "${flip[@]}"
if [ "${FIT:-1}" = 1 ]; then
  # The headline MAP@10 is the fitted metric's; plain cosine is well below it (BENCHMARKS.md).
  echo "quickstart: fitting the learned metric of $collection from its labels (cross-validated inside it;" \
    "about 2 minutes for Caltech-101 with flip views on 2 cores, more on a busy machine; FIT=0 skips it)" >&2
  start=$(date +%s)
  if node dist/cli-bundle/main.js fit --collection "$collection"; then
    echo "quickstart: fit done in $(( $(date +%s) - start )) s; the server refits by itself once more than 10 % of the items change" >&2
  else
    echo "quickstart: no fit (see the message above); serving plain cosine" >&2
  fi
fi
exec node dist/cli-bundle/main.js serve --collection "$collection" --port "${PORT:-4000}" --host "${HOST:-127.0.0.1}"
