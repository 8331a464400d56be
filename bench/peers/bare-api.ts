/**
 * The floor of any HTTP API with multipart uploads on this machine: a bare node:http server that
 * parses the SDK's multipart request with busboy (what multer and @fastify/multipart use),
 * keeps the image in memory, runs the same in-process search and answers the GraphQL response
 * shape with JSON.stringify. No Express, no GraphQL, no temp file, no checks: what is left of the
 * API's overhead over the engine is the client, the loopback socket, multipart and JSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import type { ImsearchService } from '../../service/service.js';

export interface BareApi {
  url: string;
  close(): Promise<void>;
}

function readImage(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let image: Buffer | null = null;
    const bb = busboy({ headers: req.headers });
    bb.on('file', (_name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (image = Buffer.concat(chunks)));
    });
    bb.on('close', () => (image ? resolve(image) : reject(new Error('no file part'))));
    bb.on('error', reject);
    req.pipe(bb);
  });
}

export async function startBareApi(service: ImsearchService, collection: string): Promise<BareApi> {
  const server = http.createServer(async (req, res) => {
    try {
      const { matches, collection: c } = await service.searchImage(collection, await readImage(req), { k: 10 });
      const body = JSON.stringify({
        data: {
          similarImages: {
            collection: c.name,
            k: 10,
            matches: matches.map((m, i) => ({ rank: i + 1, score: m.score, item: { id: String(m.item.id), label: m.item.label, sourceName: m.item.source, sha256: m.item.sha256 } })),
          },
        },
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(err) }] }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
