import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ModelManifest, defaultManifestsDir, loadCatalog, readRecords, RECORDS_FILE, validateManifest } from '../../models/index.js';
import {
  bypassesProxy,
  ModelStore,
  ModelStoreError,
  proxyForUrl,
  requireVerifiedModels,
  verifiedModels,
  mirrorUrl,
} from '../../model-store/index.js';
import { sharedModelsDir } from '../helpers/paths.js';

// A self-signed certificate for models.example.test / localhost / 127.0.0.1, valid 2000-2100,
// generated for these tests only (EC P-256).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPtXuW48GsLiuZD+t
qyHhdwBPbj+mFgvn5WnLxlagg4ehRANCAASZamfxnHs+7tGhoxBtgbtKyTXwfgZ0
DhIIy5/0OBmSjpf6Xujn2EluHuy42VLHdzq7Z8O7uq1T/KRDyu4pJxhU
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIBATAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNtb2RlbHMu
ZXhhbXBsZS50ZXN0MCAXDTAwMDEwMTAwMDAwMFoYDzIxMDAwMTAxMDAwMDAwWjAe
MRwwGgYDVQQDDBNtb2RlbHMuZXhhbXBsZS50ZXN0MFkwEwYHKoZIzj0CAQYIKoZI
zj0DAQcDQgAEmWpn8Zx7Pu7RoaMQbYG7Ssk18H4GdA4SCMuf9DgZko6X+l7o59hJ
bh7suNlSx3c6u2fDu7qtU/ykQ8ruKScYVKNjMGEwLwYDVR0RBCgwJoITbW9kZWxz
LmV4YW1wbGUudGVzdIIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8w
HQYDVR0OBBYEFIDnEx3FElKLbLQrIXMsUP3dOHzUMAoGCCqGSM49BAMCA0cAMEQC
IF1m9GSICM1pCxlpDr85lQAemWMWTRZODcgK4GVG7stOAiBH1QFYL6+b0bVixv/r
lCK9ktJvJk4OSeP1UzfSs6TYSg==
-----END CERTIFICATE-----
`;

const ZOO_FILE = 'mobilenetv2-12-int8.onnx';
const ZOO_SHA = 'cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f';
const ZOO_BYTES = 3655033;
const EMB_SHA = 'd1ace3247343a96216399c6f69d3b41c0137309cc14b52acdccf96bdf05b6569';

const files = {
  zoo: fs.readFileSync(path.join(sharedModelsDir, ZOO_FILE)),
  emb: fs.readFileSync(path.join(sharedModelsDir, 'mobilenetv2-12-int8-emb.onnx')),
  v1emb: fs.readFileSync(path.join(sharedModelsDir, 'mobilenet_v1_0.25_224-emb.onnx')),
};

// ---------------------------------------------------------------------------------------------
// A file server on 127.0.0.1 with Range support and injectable faults.

interface Fault {
  /** Send this many body bytes, then destroy the socket. */
  cutAfter?: number;
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange?: boolean;
  /** Send headers, then nothing. */
  stall?: boolean;
  status?: number;
}

interface Seen {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  host: string | undefined;
}

class FileServer {
  readonly routes = new Map<string, Buffer>();
  /** Faults consumed one per request, per path. */
  readonly faults = new Map<string, Fault[]>();
  /** Paths whose every response has one byte flipped. */
  readonly corrupt = new Set<string>();
  readonly seen: Seen[] = [];
  private server: http.Server | https.Server | null = null;
  base = '';

  async start(tlsOptions?: { key: string; cert: string }): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.server = tlsOptions ? https.createServer(tlsOptions, handler) : http.createServer(handler);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as net.AddressInfo;
    this.base = `${tlsOptions ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  url(p: string): string {
    return `${this.base}${p}`;
  }

  requestsFor(p: string): Seen[] {
    return this.seen.filter((s) => s.path === p);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    this.seen.push({ path: p, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, host: req.headers.host });
    if (p.startsWith('/redirect/')) {
      res.writeHead(302, { Location: `/files/${p.slice('/redirect/'.length)}` }).end();
      return;
    }
    const fault = this.faults.get(p)?.shift() ?? {};
    const data = this.routes.get(p);
    if (fault.status || !data) {
      res.writeHead(fault.status ?? 404).end('not here');
      return;
    }
    let body = data;
    if (this.corrupt.has(p)) {
      body = Buffer.from(data);
      body[1000] = body[1000]! ^ 0xff;
    }
    const etag = `"${createHash('sha256').update(data).digest('hex').slice(0, 16)}"`;
    const headers: http.OutgoingHttpHeaders = { ETag: etag, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    let status = 200;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (m && !fault.ignoreRange && (!ifRange || ifRange === etag)) {
      const start = Number(m[1]);
      const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
        return;
      }
      headers['Content-Range'] = `bytes ${start}-${end}/${body.length}`;
      body = body.subarray(start, end + 1);
      status = 206;
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    if (fault.stall) {
      res.flushHeaders();
      return;
    }
    if (fault.cutAfter !== undefined) {
      res.write(body.subarray(0, fault.cutAfter), () => res.destroy());
      return;
    }
    res.end(body);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** A forward proxy: absolute-URI GETs and CONNECT tunnels, all mapped to local servers. */
class TestProxy {
  readonly log: { method: string; target: string; auth: string | undefined }[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  url = '';

  constructor(
    private readonly httpPort: number,
    private readonly httpsPort: number,
  ) {}

  async start(): Promise<this> {
    const server = http.createServer((req, res) => {
      this.log.push({ method: req.method ?? '', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const target = new URL(req.url ?? '');
      const upstream = http.request(
        { host: '127.0.0.1', port: this.httpPort, path: `${target.pathname}${target.search}`, method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.log.push({ method: 'CONNECT', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
      this.sockets.add(client);
      const upstream = net.connect(this.httpsPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// ---------------------------------------------------------------------------------------------

const server = new FileServer();
const tmpDirs: string[] = [];

before(async () => {
  await server.start();
  server.routes.set(`/files/${ZOO_FILE}`, files.zoo);
});

after(async () => {
  await server.close();
  for (const d of tmpDirs) await fsp.rm(d, { recursive: true, force: true });
});

async function tempStore(): Promise<string> {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), 'imsearch-model-store-'));
  tmpDirs.push(d);
  return d;
}

function zooManifest(urls: string[]): ModelManifest {
  return {
    name: 'mobilenetv2-12-int8',
    description: 'ONNX Model Zoo MobileNetV2 int8, unchanged',
    file: ZOO_FILE,
    sha256: ZOO_SHA,
    sha256Source: 'published',
    bytes: ZOO_BYTES,
    input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 224 },
    preprocess: { resize: 'shorter', size: 256, kernel: 'bilinear', centreCrop: true, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    output: { name: '472_quantized', dim: 1280, expose: { dequantize: { scale: '464_scale', zeroPoint: '464_zero_point' } } },
    licence: 'Apache-2.0',
    urls,
  };
}

function tofuManifest(name: string, urls: string[]): ModelManifest {
  return {
    name,
    description: 'no published checksum',
    file: `${name}.onnx`,
    sha256: null,
    sha256Source: 'first-download',
    bytes: null,
    input: { name: 'input', dtype: 'float32', batch: null, height: 224, width: 224 },
    preprocess: { resize: 'shorter', size: 256, kernel: 'bilinear', centreCrop: true, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    output: { name: 'embedding', dim: 1280 },
    licence: 'Apache-2.0',
    urls,
  };
}

const hermetic = { env: {} as Record<string, string> };

function sha(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

test('pulls the zoo file under its published sha256; list, verify and verifiedModels see it', async () => {
  const dir = await tempStore();
  const url = server.url(`/files/${ZOO_FILE}`);
  const store = new ModelStore({ dir, manifests: [zooManifest([url])], http: hermetic });

  const [before] = await store.list();
  assert.equal(before!.installed, false);
  assert.equal(before!.bytes, ZOO_BYTES);
  assert.equal(before!.licence, 'Apache-2.0');
  assert.equal(before!.sha256Source, 'published');

  const progress: number[] = [];
  const res = await store.pull('mobilenetv2-12-int8', { onProgress: (p) => progress.push(p.received) });
  assert.equal(res.status, 'installed');
  assert.equal(res.sha256, ZOO_SHA);
  assert.equal(res.bytes, ZOO_BYTES);
  assert.equal(res.url, url);
  assert.equal(res.resumed, false);
  assert.equal(res.recordedFirstDownload, false);
  assert.equal(sha(await fsp.readFile(path.join(dir, ZOO_FILE))), ZOO_SHA);
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'progress only grows');
  assert.equal(progress.at(-1), ZOO_BYTES);
  assert.deepEqual((await fsp.readdir(dir)).filter((f) => !f.startsWith('.')), [ZOO_FILE], 'no part or lock file left');

  const [listed] = await store.list();
  assert.equal(listed!.installed, true);
  const [verified] = await store.verify();
  assert.equal(verified!.status, 'ok');
  assert.equal(verified!.actual, ZOO_SHA);
  const { ready, problems } = await verifiedModels(dir, { manifests: [zooManifest([url])] });
  assert.deepEqual(problems, []);
  assert.equal(ready[0]!.path, path.join(dir, ZOO_FILE));

  const requests = server.seen.length;
  const again = await store.pull('mobilenetv2-12-int8');
  assert.equal(again.status, 'already-installed');
  assert.equal(server.seen.length, requests, 'nothing downloaded again');
});

test('a transfer cut off halfway is resumed with a Range request and verified', async () => {
  const dir = await tempStore();
  const p = `/files/${ZOO_FILE}`;
  server.faults.set(p, [{ cutAfter: 1_500_000 }]);
  const seenBefore = server.requestsFor(p).length;
  const events: string[] = [];
  const store = new ModelStore({ dir, manifests: [zooManifest([server.url(p)])], http: hermetic });
  const res = await store.pull('mobilenetv2-12-int8', { onEvent: (e) => events.push(e) });

  const reqs = server.requestsFor(p).slice(seenBefore);
  assert.equal(reqs.length, 2);
  assert.equal(reqs[0]!.range, undefined);
  const m = /^bytes=(\d+)-$/.exec(reqs[1]!.range ?? '');
  assert.ok(m, `second request has a Range header (${reqs[1]!.range})`);
  const from = Number(m[1]);
  assert.ok(from > 0 && from <= 1_500_000, `resumed from ${from}`);
  assert.ok(reqs[1]!.ifRange, 'If-Range carries the validator of the part');
  assert.equal(res.resumed, true);
  assert.equal(res.sha256, ZOO_SHA);
  assert.equal(sha(await fsp.readFile(path.join(dir, ZOO_FILE))), ZOO_SHA);
  assert.ok(events.some((e) => /interrupted at byte \d+ of 3655033/.test(e)), events.join('\n'));
  assert.ok(events.some((e) => /resuming at byte \d+ of 3655033 \(HTTP 206\)/.test(e)), events.join('\n'));
});

test('a partial download left by a failed pull is continued by the next pull', async () => {
  const dir = await tempStore();
  const p = `/files/${ZOO_FILE}`;
  const store = new ModelStore({ dir, manifests: [zooManifest([server.url(p)])], http: hermetic });
  server.faults.set(p, [{ cutAfter: 1_000_000 }]);
  await assert.rejects(store.pull('mobilenetv2-12-int8', { maxResumes: 0 }), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.code, 'MODEL_DOWNLOAD_FAILED');
    assert.match(e.message, new RegExp(`${server.url(p).replace(/[.]/g, '\\.')}\\n\\s+transfer interrupted at byte \\d+ of 3655033`));
    assert.match(e.message, /bytes are kept in .*\.part; the next pull continues from there/);
    return true;
  });
  const partSize = (await fsp.stat(path.join(dir, `${ZOO_FILE}.part`))).size;
  assert.ok(partSize > 0 && partSize <= 1_000_000);
  assert.equal(fs.existsSync(path.join(dir, ZOO_FILE)), false);

  const seenBefore = server.requestsFor(p).length;
  const res = await store.pull('mobilenetv2-12-int8');
  const reqs = server.requestsFor(p).slice(seenBefore);
  assert.deepEqual(reqs.map((r) => r.range), [`bytes=${partSize}-`]);
  assert.equal(res.resumed, true);
  assert.equal(sha(await fsp.readFile(path.join(dir, ZOO_FILE))), ZOO_SHA);
  assert.equal(fs.existsSync(path.join(dir, `${ZOO_FILE}.part`)), false);
});

test('a server that answers a Range request with 200 makes the download restart from byte 0', async () => {
  const dir = await tempStore();
  const p = `/files/${ZOO_FILE}`;
  server.faults.set(p, [{ cutAfter: 800_000 }, { ignoreRange: true }]);
  const events: string[] = [];
  const store = new ModelStore({ dir, manifests: [zooManifest([server.url(p)])], http: hermetic });
  const res = await store.pull('mobilenetv2-12-int8', { onEvent: (e) => events.push(e) });
  assert.equal(res.sha256, ZOO_SHA);
  assert.ok(events.some((e) => /whole file \(HTTP 200\): starting again from byte 0/.test(e)), events.join('\n'));
});

test('a corrupt download is rejected and nothing is left in the store', async () => {
  const dir = await tempStore();
  const p = `/corrupt/${ZOO_FILE}`;
  server.routes.set(p, files.zoo);
  server.corrupt.add(p);
  const store = new ModelStore({ dir, manifests: [zooManifest([server.url(p)])], http: hermetic });
  await assert.rejects(store.pull('mobilenetv2-12-int8'), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.code, 'MODEL_DOWNLOAD_FAILED');
    assert.equal(e.attempts.length, 1);
    assert.match(e.message, new RegExp(`sha256 mismatch: got [0-9a-f]{64}, expected ${ZOO_SHA} \\(published\\)`));
    return true;
  });
  assert.deepEqual(await fsp.readdir(dir), [], 'no model, part, lock or record file');
});

test('a 404 on the first mirror falls through to the second', async () => {
  const dir = await tempStore();
  const missing = server.url(`/missing/${ZOO_FILE}`);
  const good = server.url(`/files/${ZOO_FILE}`);
  const store = new ModelStore({ dir, manifests: [zooManifest([missing, good])], http: hermetic });
  const res = await store.pull('mobilenetv2-12-int8');
  assert.equal(res.url, good);
  assert.deepEqual(res.failed, [{ url: missing, cause: 'HTTP 404 Not Found' }]);
  assert.equal(sha(await fsp.readFile(path.join(dir, ZOO_FILE))), ZOO_SHA);
});

test('when every source fails, one error names each URL and its cause', async () => {
  const dir = await tempStore();
  const stalled = `/stall/${ZOO_FILE}`;
  server.routes.set(stalled, files.zoo);
  server.faults.set(stalled, [{ stall: true }]);
  const corrupt = `/corrupt/${ZOO_FILE}`;
  server.routes.set(corrupt, files.zoo);
  server.corrupt.add(corrupt);
  const urls = [server.url(`/missing/${ZOO_FILE}`), `http://127.0.0.1:${await deadPort()}/${ZOO_FILE}`, server.url(stalled), server.url(corrupt)];
  const store = new ModelStore({ dir, manifests: [zooManifest(urls)], http: { ...hermetic, idleTimeoutMs: 300 } });
  await assert.rejects(store.pull('mobilenetv2-12-int8'), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.deepEqual(e.attempts.map((a) => a.url), urls);
    const [a, b, c, d] = e.attempts.map((x) => x.cause);
    assert.equal(a, 'HTTP 404 Not Found');
    assert.match(b!, /ECONNREFUSED/);
    assert.match(c!, /no data for 0.3 s/);
    assert.match(d!, /sha256 mismatch/);
    assert.match(e.message, /^Could not download model "mobilenetv2-12-int8" \(mobilenetv2-12-int8.onnx\) from any of its 4 source\(s\):/);
    for (const u of urls) assert.ok(e.message.includes(u), `message names ${u}`);
    return true;
  });
  assert.equal(fs.existsSync(path.join(dir, ZOO_FILE)), false);
});

test('a site base URL replaces the manifest URLs (which are never fetched); redirects are followed', async () => {
  assert.equal(mirrorUrl('http://h/models', 'a b.onnx'), 'http://h/models/a%20b.onnx');
  assert.equal(mirrorUrl('http://h/x/{file}?dl=1', 'm.onnx'), 'http://h/x/m.onnx?dl=1');
  const dir = await tempStore();
  const store = new ModelStore({ dir, manifests: [zooManifest(['https://github.com/onnx/models/raw/main/never-fetched.onnx'])], http: hermetic });
  const seenBefore = server.seen.length;
  const res = await store.pull('mobilenetv2-12-int8', { baseUrls: [server.url('/redirect/')] });
  assert.equal(res.url, server.url(`/redirect/${ZOO_FILE}`));
  assert.deepEqual(server.seen.slice(seenBefore).map((s) => s.path), [`/redirect/${ZOO_FILE}`, `/files/${ZOO_FILE}`]);
  assert.equal(res.sha256, ZOO_SHA);
});

test('first download without a published checksum records its sha256; a later different download is refused', async () => {
  const dir = await tempStore();
  const p = '/tofu/tofu-model.onnx';
  server.routes.set(p, files.emb);
  const manifests = [tofuManifest('tofu-model', [server.url(p)])];
  const store = new ModelStore({ dir, manifests, http: hermetic });

  const first = await store.pull('tofu-model');
  assert.equal(first.recordedFirstDownload, true);
  assert.equal(first.sha256Source, null);
  assert.equal(first.sha256, EMB_SHA);
  const records = readRecords(dir);
  assert.equal(records['tofu-model']!.sha256, EMB_SHA);
  assert.equal(records['tofu-model']!.source, 'first-download');
  assert.equal(records['tofu-model']!.url, server.url(p));
  assert.ok(fs.existsSync(path.join(dir, RECORDS_FILE)));
  const [listed] = await store.list();
  assert.equal(listed!.sha256, EMB_SHA);
  assert.equal(listed!.sha256Source, 'first-download');
  assert.equal((await store.verify(['tofu-model']))[0]!.status, 'ok');

  // Removing keeps the record; the server now has a different file under the same name.
  const removed = await store.remove('tofu-model');
  assert.equal(removed.forgotHash, false);
  server.routes.set(p, files.v1emb);
  await assert.rejects(store.pull('tofu-model'), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.match(e.message, new RegExp(`sha256 mismatch: got ${sha(files.v1emb)}, expected ${EMB_SHA} \\(recorded at the first download on \\d{4}-`));
    return true;
  });
  assert.equal(fs.existsSync(path.join(dir, 'tofu-model.onnx')), false);
  assert.equal((readRecords(dir))['tofu-model']!.sha256, EMB_SHA, 'the record is unchanged');

  // The original file is accepted again, and it is a plain re-download now, not a new record.
  server.routes.set(p, files.emb);
  const again = await store.pull('tofu-model');
  assert.equal(again.recordedFirstDownload, false);
  assert.equal(again.sha256Source, 'first-download');
});

test('a first download that does not match its manifest graph is not recorded', async () => {
  const dir = await tempStore();
  const p = '/tofu/wrong.onnx';
  server.routes.set(p, files.v1emb); // 256-d, the manifest says 1280
  const store = new ModelStore({ dir, manifests: [tofuManifest('wrong', [server.url(p)])], http: hermetic });
  await assert.rejects(store.pull('wrong'), /does not match the manifest \(output.dim: "embedding" has 256 values per image \[N, 256\], the manifest says 1280\)/);
  assert.deepEqual(readRecords(dir), {});
  assert.equal(fs.existsSync(path.join(dir, 'wrong.onnx')), false);
});

test('import: a bad manifest is refused listing every problem; a good one is copied, recorded and verified', async () => {
  const dir = await tempStore();
  const onnxPath = path.join(sharedModelsDir, 'mobilenet_v1_0.25_224-emb.onnx');
  const store = new ModelStore({ dir, manifests: [zooManifest([])], http: hermetic });
  const bad = {
    name: 'My Model',
    file: '../escape.onnx',
    sha256: 'ABC',
    bytes: -1,
    input: { name: 'input', dtype: 'float64', batch: 0, height: '224', width: 224 },
    output: { name: 'embedding' },
    licence: '',
    urls: ['ftp://example.org/x.onnx'],
    colour: 'blue',
  };
  await assert.rejects(store.importFile(onnxPath, { manifest: bad, manifestLabel: 'my.json' }), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.code, 'BAD_MANIFEST');
    const lines = e.message.split('\n');
    assert.equal(lines[0], 'Invalid manifest my.json:');
    for (const want of [
      '  - name: expected lower-case letters, digits, ".", "_" or "-" (it is used on the command line and in file names), received "My Model"',
      '  - file: expected a bare file name (no directories, not starting with "."), received "../escape.onnx"',
      '  - sha256: expected 64 lower-case hex digits, or null when no checksum is published, received "ABC"',
      '  - bytes: expected a positive integer or null, received -1',
      '  - input.dtype: expected one of "float32", "uint8", received "float64"',
      '  - input.batch: expected a positive integer or null, received 0',
      '  - input.height: expected a positive integer, received "224"',
      '  - preprocess: expected an object { resize, size, kernel, centreCrop, scale, mean, std }, received nothing',
      '  - output.dim: expected a positive integer, received nothing',
      '  - licence: expected a non-empty string, received ""',
      '  - urls[0]: expected an http or https URL, received "ftp://example.org/x.onnx"',
    ]) {
      assert.ok(lines.includes(want), `missing line: ${want}\n${e.message}`);
    }
    return true;
  });
  assert.deepEqual(await fsp.readdir(dir).catch(() => []), []);

  const good = { ...tofuManifest('my-mnv1', []), output: { name: 'embedding', dim: 256 } };
  // Valid manifest, but the graph disagrees with it.
  await assert.rejects(
    store.importFile(onnxPath, { manifest: { ...good, input: { ...good.input, name: 'pixels', height: 256 }, output: { name: 'embedding', dim: 1000 } }, manifestLabel: 'my.json' }),
    (e: unknown) => {
      assert.ok(e instanceof ModelStoreError);
      assert.equal(e.code, 'MODEL_MISMATCH');
      assert.match(e.message, /input.name: the model has no input "pixels" \(inputs: input \[N, 3, 224, 224\]\)/);
      assert.match(e.message, /output.dim: "embedding" has 256 values per image \[N, 256\], the manifest says 1000/);
      return true;
    },
  );
  assert.throws(() => {
    const c = validateManifest({ ...good, input: { ...good.input, height: 288 } });
    if (!c.manifest) throw new Error(c.problems.join('; '));
  }, /preprocess.size: expected at least the crop size 288/);

  const res = await store.importFile(onnxPath, { manifest: good, manifestLabel: 'my.json' });
  assert.equal(res.sha256, sha(files.v1emb));
  assert.equal(sha(await fsp.readFile(res.path)), res.sha256);
  const saved = JSON.parse(await fsp.readFile(res.manifestPath!, 'utf8'));
  assert.equal(saved.sha256, res.sha256);
  assert.equal(saved.sha256Source, 'imported');
  assert.equal((readRecords(dir))['my-mnv1']!.source, 'imported');
  const listed = (await store.list()).find((l) => l.name === 'my-mnv1')!;
  assert.equal(listed.origin, 'imported');
  assert.equal(listed.installed, true);
  assert.equal((await store.verify(['my-mnv1']))[0]!.status, 'ok');
  await assert.rejects(store.importFile(onnxPath, { manifest: good }), /already imported .*pass --force/);
  await assert.rejects(store.importFile(onnxPath, { manifest: { ...good, name: 'mobilenetv2-12-int8' } }), /A built-in manifest is already called "mobilenetv2-12-int8"/);

  // Importing a file for a built-in manifest checks its published sha256.
  await assert.rejects(store.importFile(onnxPath, { name: 'mobilenetv2-12-int8' }), /must have cc028fe6.* \(published\): not the expected file/);
  const zoo = await store.importFile(path.join(sharedModelsDir, ZOO_FILE), { name: 'mobilenetv2-12-int8' });
  assert.equal(zoo.sha256, ZOO_SHA);
  assert.equal(zoo.manifestPath, null);

  const removed = await store.remove('my-mnv1');
  assert.ok(removed.removed.includes(res.manifestPath!));
  assert.equal((await store.list()).some((l) => l.name === 'my-mnv1'), false);
});

test('verifiedModels says which models are missing or corrupt and how to get them', async () => {
  const dir = await tempStore();
  const url = server.url(`/files/${ZOO_FILE}`);
  const manifests = [zooManifest([url]), tofuManifest('offline-only', [])];
  let out = await verifiedModels(dir, { manifests });
  assert.deepEqual(out.ready, []);
  const byName = Object.fromEntries(out.problems.map((p) => [p.name, p]));
  assert.equal(byName['mobilenetv2-12-int8']!.status, 'missing');
  assert.match(byName['mobilenetv2-12-int8']!.message, new RegExp(`Model "mobilenetv2-12-int8" is not installed: .*${ZOO_FILE} does not exist\\. Get it with: imsearch models pull mobilenetv2-12-int8 --model-dir `));
  assert.match(byName['offline-only']!.message, /no download URL: .*--base-url <url>.*imsearch models import <file.onnx> --name offline-only/);

  const store = new ModelStore({ dir, manifests, http: hermetic });
  await store.pull('mobilenetv2-12-int8');
  out = await verifiedModels(dir, { manifests, names: ['mobilenetv2-12-int8'] });
  assert.equal(out.ready.length, 1);

  // Damage the file in place (same size): the changed mtime defeats the verification cache.
  const file = path.join(dir, ZOO_FILE);
  const fh = await fsp.open(file, 'r+');
  await fh.write(Buffer.from([0x42]), 0, 1, 5000);
  await fh.close();
  const later = new Date(Date.now() + 5000);
  await fsp.utimes(file, later, later);
  out = await verifiedModels(dir, { manifests, names: ['mobilenetv2-12-int8'] });
  assert.equal(out.problems[0]!.status, 'mismatch');
  assert.match(out.problems[0]!.message, /has sha256 [0-9a-f]{64}, expected cc028fe6.*\(the published sha256\).*imsearch models pull mobilenetv2-12-int8 --model-dir .* --force/);
  await assert.rejects(requireVerifiedModels(dir, ['mobilenetv2-12-int8', 'offline-only', 'nope'], { manifests }), (e: unknown) => {
    assert.ok(e instanceof ModelStoreError);
    assert.equal(e.message.split('\n').length, 3);
    assert.match(e.message, /Unknown model "nope"/);
    return true;
  });
  assert.equal((await store.verify(['mobilenetv2-12-int8']))[0]!.status, 'mismatch');
  // A forced pull repairs it.
  const fixed = await store.pull('mobilenetv2-12-int8');
  assert.equal(fixed.status, 'installed');
  assert.equal((await store.verify(['mobilenetv2-12-int8']))[0]!.status, 'ok');
});

test('a pull is refused while another live process holds the lock; a stale lock is taken over', async () => {
  const dir = await tempStore();
  const store = new ModelStore({ dir, manifests: [zooManifest([server.url(`/files/${ZOO_FILE}`)])], http: hermetic });
  await fsp.writeFile(path.join(dir, `${ZOO_FILE}.lock`), String(process.ppid));
  await assert.rejects(store.pull('mobilenetv2-12-int8'), new RegExp(`Another process \\(pid ${process.ppid}\\) is downloading`));
  await fsp.writeFile(path.join(dir, `${ZOO_FILE}.lock`), '2147483646');
  assert.equal((await store.pull('mobilenetv2-12-int8')).sha256, ZOO_SHA);
});

test('the built-in manifests of the customer models are valid', async () => {
  const cat = loadCatalog({ modelDir: await tempStore(), manifestsDir: defaultManifestsDir() });
  for (const name of ['convnext-tiny', 'resnet50-v2', 'clip-vit-b32']) {
    const e = cat.entries.get(name);
    assert.ok(e, `${name} loads (warnings: ${cat.warnings.join('; ')})`);
    assert.ok(e.manifest.urls.length > 0);
  }
  assert.equal(cat.entries.get('clip-vit-b32')!.manifest.sha256, null);
  assert.equal(cat.entries.get('convnext-tiny')!.manifest.input.batch, 1);
  assert.deepEqual(cat.entries.get('resnet50-v2')!.manifest.output.expose?.from, { op: 'GlobalAveragePool', port: 'output', index: 0, occurrence: 'last' });
  assert.deepEqual(cat.warnings.filter((w) => /convnext|resnet50|clip/.test(w)), []);
});

// ---------------------------------------------------------------------------------------------
// Proxies

test('NO_PROXY semantics: loopback always direct; hosts, subdomains, ports, CIDR, *', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', http_proxy: 'proxy2:8080', HTTP_PROXY: 'http://ignored:1' };
  assert.equal(proxyForUrl(new URL('https://huggingface.co/x'), env)?.href, 'http://proxy:3128/');
  assert.equal(proxyForUrl(new URL('http://example.org/x'), env)?.href, 'http://proxy2:8080/', 'lower case wins, scheme optional');
  assert.equal(proxyForUrl(new URL('http://127.0.0.1:8080/x'), env), null);
  assert.equal(proxyForUrl(new URL('http://localhost/x'), env), null);
  assert.equal(proxyForUrl(new URL('http://[::1]:9/x'), env), null);
  assert.equal(proxyForUrl(new URL('https://x.org/'), { ALL_PROXY: 'http://all:1' })?.host, 'all:1');
  const no = '.example.com, github.com:443 10.0.0.0/8,,[fd00::1]';
  assert.equal(bypassesProxy(new URL('https://a.b.example.com/'), no), true);
  assert.equal(bypassesProxy(new URL('https://example.com/'), no), true);
  assert.equal(bypassesProxy(new URL('https://notexample.com/'), no), false);
  assert.equal(bypassesProxy(new URL('https://github.com/'), no), true);
  assert.equal(bypassesProxy(new URL('http://github.com/'), no), false, 'port 80 is not listed');
  assert.equal(bypassesProxy(new URL('http://10.1.2.3/'), no), true);
  assert.equal(bypassesProxy(new URL('http://11.1.2.3/'), no), false);
  assert.equal(bypassesProxy(new URL('http://[fd00::1]/'), no), true);
  assert.equal(bypassesProxy(new URL('http://anything/'), '*'), true);
});

test('a dead proxy in the environment does not break pulls from 127.0.0.1 (NO_PROXY, and loopback by default)', async () => {
  const dead = `http://127.0.0.1:${await deadPort()}`;
  const url = server.url(`/files/${ZOO_FILE}`);
  for (const env of [
    { HTTP_PROXY: dead, HTTPS_PROXY: dead, NO_PROXY: '127.0.0.1' },
    { http_proxy: dead, https_proxy: dead, no_proxy: 'localhost,127.0.0.1' },
    { HTTP_PROXY: dead, ALL_PROXY: dead },
  ]) {
    const dir = await tempStore();
    const store = new ModelStore({ dir, manifests: [zooManifest([url])], http: { env } });
    const res = await store.pull('mobilenetv2-12-int8');
    assert.equal(res.sha256, ZOO_SHA);
    assert.equal(res.proxy, null);
  }
});

test('a reachable proxy is used: absolute-URI GET for http, CONNECT tunnel for https', async () => {
  const tlsServer = await new FileServer().start({ key: TEST_KEY, cert: TEST_CERT });
  tlsServer.routes.set(`/files/${ZOO_FILE}`, files.zoo);
  const proxy = await new TestProxy(server.port, tlsServer.port).start();
  try {
    const proxyWithAuth = proxy.url.replace('http://', 'http://user:p%40ss@');
    // The host name does not resolve here: only the proxy knows where it is.
    const httpUrl = `http://models.example.test/files/${ZOO_FILE}`;
    const dir1 = await tempStore();
    const viaHttp = await new ModelStore({ dir: dir1, manifests: [zooManifest([httpUrl])], http: { env: { HTTP_PROXY: proxyWithAuth, NO_PROXY: 'localhost,127.0.0.1' } } }).pull('mobilenetv2-12-int8');
    assert.equal(viaHttp.sha256, ZOO_SHA);
    assert.equal(viaHttp.proxy, proxy.url);
    assert.deepEqual(proxy.log[0], { method: 'GET', target: httpUrl, auth: `Basic ${Buffer.from('user:p@ss').toString('base64')}` });
    assert.equal(server.seen.at(-1)!.host, 'models.example.test');

    const httpsUrl = `https://models.example.test/files/${ZOO_FILE}`;
    const dir2 = await tempStore();
    const viaTunnel = await new ModelStore({
      dir: dir2,
      manifests: [zooManifest([httpsUrl])],
      http: { env: { HTTPS_PROXY: proxy.url }, ca: TEST_CERT },
    }).pull('mobilenetv2-12-int8');
    assert.equal(viaTunnel.sha256, ZOO_SHA);
    assert.equal(proxy.log[1]!.method, 'CONNECT');
    assert.equal(proxy.log[1]!.target, 'models.example.test:443');
    assert.equal(tlsServer.seen.at(-1)!.host, 'models.example.test');

    // Without the test CA the origin's certificate is refused (TLS is end to end, not the proxy's).
    const dir3 = await tempStore();
    await assert.rejects(
      new ModelStore({ dir: dir3, manifests: [zooManifest([httpsUrl])], http: { env: { HTTPS_PROXY: proxy.url } } }).pull('mobilenetv2-12-int8'),
      /TLS to models.example.test through proxy http:\/\/127.0.0.1:\d+: self[- ]signed certificate/,
    );
  } finally {
    await proxy.close();
    await tlsServer.close();
  }
});
