/**
 * Preloaded (`node --import`) into every process the peers benchmark starts, so the peak RSS of
 * the product's CLI and of each peer is read the same way (all threads: workers, libuv, ORT).
 */
import fs from 'node:fs';

const out = process.env.PEERS_RSS_FILE;
if (out) process.on('exit', () => fs.writeFileSync(out, String(process.resourceUsage().maxRSS)));
