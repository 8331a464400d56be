/**
 * The load generator of bench/api-bench.ts, run as its own process so that its work is not on
 * the server's event loop or in the server's memory: autocannon posts GraphQL multipart
 * `similarImages` requests (query photos cycled per connection) for a bounded time, and checks
 * every response body for GraphQL errors. Prints one JSON line.
 *
 *   node bench/api-load.js <url> <connections> <seconds> <photo>...
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';

const QUERY = 'query SimilarImages($upload: Upload!, $k: Int) { similarImages(upload: $upload, k: $k) { matches { rank score item { id label thumbnailUrl } } } }';

/** One GraphQL multipart request body (spec: operations, map, then the file). */
export function multipartBody(photo: Buffer, name: string, k: number, query = QUERY): { body: Buffer; contentType: string } {
  const boundary = `----imsearch${Math.random().toString(16).slice(2)}`;
  const part = (headers: string, content: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')]);
  const body = Buffer.concat([
    part('Content-Disposition: form-data; name="operations"', JSON.stringify({ query, variables: { upload: null, k } })),
    part('Content-Disposition: form-data; name="map"', JSON.stringify({ 0: ['variables.upload'] })),
    part(`Content-Disposition: form-data; name="0"; filename="${name}"\r\nContent-Type: image/jpeg`, photo),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function main(): Promise<void> {
  const [url, connections, seconds, ...photos] = process.argv.slice(2);
  let graphqlErrors = 0;
  let wrongCount = 0;
  let firstError: string | null = null;
  const requests = await Promise.all(
    photos.map(async (p) => {
      const { body, contentType } = multipartBody(await fs.readFile(p), path.basename(p), 10);
      return {
        method: 'POST' as const,
        path: '/graphql',
        headers: { 'content-type': contentType, 'apollo-require-preflight': 'true' },
        body,
        onResponse: (status: number, text: string) => {
          if (status !== 200) return;
          try {
            const json = JSON.parse(text) as { errors?: { message: string }[]; data?: { similarImages?: { matches: unknown[] } } };
            if (json.errors?.length) {
              graphqlErrors++;
              firstError ??= json.errors[0].message;
            } else if (json.data?.similarImages?.matches.length !== 10) wrongCount++;
          } catch {
            graphqlErrors++;
          }
        },
      };
    }),
  );
  const result = await autocannon({
    url,
    connections: Number(connections),
    duration: Number(seconds),
    requests,
    timeout: 30,
  });
  process.stdout.write(
    `${JSON.stringify({
      requests: result.requests.total,
      rps: result.requests.average,
      latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      graphqlErrors,
      wrongCount,
      firstError,
      duration: result.duration,
    })}\n`,
  );
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) await main();
