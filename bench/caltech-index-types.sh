#!/usr/bin/env bash
# MAP@10, recall@10 against exact search and query time of each index type on Caltech-101, with
# the final configuration (three models, flip TTA, metric + re-rankers fitted on the gallery by
# `eval --fit`; the fit is made once and reused by the later runs) and with plain cosine.
#   bash bench/caltech-index-types.sh [DATA_DIR]      (after npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${IMSEARCH_SHARED:-$(pwd)/../shared}"
data="${1:-${TMPDIR:-/tmp}/imsearch-bench-data}"
common=(--data "$data" --model-dir "$shared/models" eval
  --gallery "$shared/datasets/caltech101/gallery" --queries "$shared/datasets/caltech101/queries"
  --models mobilenetv2-int8,mnv4s-int8,mobilenet-v1-025 --flip)
for spec in flat hnsw ivfpq annoy; do
  out=$(node dist/cli-bundle/main.js "${common[@]}" --fit --index "$spec" 2>/dev/null)
  echo "${out%%$'\n'*}"
done
for spec in flat hnsw ivfpq annoy; do
  out=$(node dist/cli-bundle/main.js "${common[@]}" --index "$spec" 2>/dev/null)
  echo "${out%%$'\n'*}"
done
