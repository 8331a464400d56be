#!/usr/bin/env bash
# Issue 5's end-to-end check: serve ../shared/models from a local HTTP server on 127.0.0.1,
# pull the three offline models through the model store into an EMPTY store, then run the same
# eval from the pulled store and from the files read directly, each in a fresh data directory
# (so both embed every image: no cached embeddings are shared), and compare.
#   bash bench/pull-and-eval.sh [MODELS]     (after npm run build)
set -euo pipefail
cd "$(dirname "$0")/.."
models="${1:-mobilenetv2-int8,mnv4s-int8,mobilenet-v1-025}"
shared="${IMSEARCH_SHARED:-$(pwd)/../shared}"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
node -e '
  const http = require("node:http"), fs = require("node:fs"), path = require("node:path");
  const root = process.argv[1];
  const s = http.createServer((req, res) => {
    const file = path.join(root, path.basename(decodeURIComponent(req.url)));
    fs.stat(file, (err, st) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { "content-length": st.size });
      fs.createReadStream(file).pipe(res);
    });
  });
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));
' "$shared/models" > "$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
cli="node dist/cli-bundle/main.js"
$cli --model-dir "$work/store" models pull ${models//,/ } --base-url "http://127.0.0.1:$port/" --no-progress
$cli --model-dir "$work/store" models verify
args=(eval --gallery "$shared/datasets/caltech101/gallery" --queries "$shared/datasets/caltech101/queries" --models "$models" --index flat)
# the first line of eval's output is its JSON summary (no `| head`: a closed pipe would fail the run)
pulled=$($cli --data "$work/data-pulled" --model-dir "$work/store" "${args[@]}" 2>/dev/null)
pulled=${pulled%%$'\n'*}
direct=$($cli --data "$work/data-direct" --model-dir "$shared/models" "${args[@]}" 2>/dev/null)
direct=${direct%%$'\n'*}
echo "pulled store: $pulled"
echo "direct files: $direct"
node -e '
  const [a, b] = process.argv.slice(1).map((s) => JSON.parse(s));
  const same = a.map === b.map && a.classBalancedMap === b.classBalancedMap && a.precisionAt1 === b.precisionAt1;
  console.log(`MAP@10 pulled ${a.map} vs direct ${b.map}: ${same ? "identical" : "DIFFERENT"}`);
  process.exit(same ? 0 : 1);
' "$pulled" "$direct"
