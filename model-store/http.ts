/**
 * GET over node's http / https with redirects, an idle timeout and proxies from the environment:
 * http URLs through a proxy are requested with an absolute URI, https URLs through a CONNECT
 * tunnel (TLS end to end with the origin). No third-party agent.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { DownloadError } from './errors.js';
import { describeProxy, proxyForUrl, type Env } from './proxy.js';

export interface HttpOptions {
  /** Environment for proxy settings (default process.env). */
  env?: Env;
  /** Extra trusted CA certificates for https (NODE_EXTRA_CA_CERTS also works). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Give up when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Redirects followed (default 5). */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
  /** The proxy used, if any (without credentials). */
  proxy: string | null;
}

const USER_AGENT = 'imsearch-model-store/1 (node)';

// No keep-alive: a download is one long response, and idle sockets would outlive it.
const httpAgent = new http.Agent({ keepAlive: false });
const httpsAgent = new https.Agent({ keepAlive: false });

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(creds).toString('base64')}` };
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code && !e.message.includes(e.code)) return `${e.message} (${e.code})`;
  return e?.message ?? String(err);
}

/** Open a CONNECT tunnel through `proxy` to host:port. */
function connectTunnel(proxy: URL, host: string, port: number, opts: HttpOptions): Promise<net.Socket> {
  const mod = proxy.protocol === 'https:' ? https : http;
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { Host: target, 'User-Agent': USER_AGENT, ...proxyAuth(proxy) },
      agent: proxy.protocol === 'https:' ? httpsAgent : httpAgent,
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    req.setTimeout(opts.idleTimeoutMs ?? 60_000, () => req.destroy(new Error(`no answer for ${(opts.idleTimeoutMs ?? 60_000) / 1000} s`)));
    req.once('connect', (res, socket, head) => {
      req.setTimeout(0);
      socket.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new DownloadError(`proxy ${describeProxy(proxy)} refused CONNECT ${target}: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim(), false));
        return;
      }
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (err) => reject(new DownloadError(`proxy ${describeProxy(proxy)}: ${errorText(err)}`, false, { cause: err })));
    req.end();
  });
}

async function requestOnce(url: URL, headers: Record<string, string>, opts: HttpOptions): Promise<{ res: http.IncomingMessage; proxy: URL | null }> {
  const proxy = proxyForUrl(url, opts.env ?? process.env);
  const idle = opts.idleTimeoutMs ?? 60_000;
  const allHeaders: Record<string, string> = { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity', ...headers };
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const path = `${url.pathname}${url.search}`;

  let req: http.ClientRequest;
  if (!proxy) {
    const mod = url.protocol === 'https:' ? https : http;
    req = mod.request({
      host: hostname,
      port,
      path,
      method: 'GET',
      headers: allHeaders,
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      ...(url.protocol === 'https:' && opts.ca ? { ca: opts.ca } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } else if (url.protocol === 'http:') {
    // Plain http through a proxy: absolute URI in the request line.
    const mod = proxy.protocol === 'https:' ? https : http;
    req = mod.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      path: url.href,
      method: 'GET',
      headers: { ...allHeaders, Host: url.host, ...proxyAuth(proxy) },
      agent: proxy.protocol === 'https:' ? httpsAgent : httpAgent,
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } else {
    // https through a proxy: CONNECT, then TLS to the origin inside the tunnel.
    const raw = await connectTunnel(proxy, hostname, port, opts);
    const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        socket: raw,
        ...(net.isIP(hostname) ? {} : { servername: hostname }),
        ALPNProtocols: ['http/1.1'],
        ...(opts.ca ? { ca: opts.ca } : {}),
      });
      s.once('secureConnect', () => resolve(s));
      s.once('error', (err) => {
        raw.destroy();
        reject(new DownloadError(`TLS to ${url.host} through proxy ${describeProxy(proxy)}: ${errorText(err)}`, false, { cause: err }));
      });
    });
    req = http.request({
      host: hostname,
      port,
      path,
      method: 'GET',
      headers: { ...allHeaders, Host: url.host },
      createConnection: () => socket,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | null = null;
    // The socket's idle timer covers the body too: fail the response stream with a clear reason.
    req.setTimeout(idle, () => {
      const err = new DownloadError(`no data for ${idle / 1000} s`, true);
      if (response) response.destroy(err);
      else req.destroy(err);
    });
    req.once('response', (res) => {
      response = res;
      resolve({ res, proxy });
    });
    req.once('error', (err) => {
      if (err instanceof DownloadError) reject(err);
      else reject(new DownloadError(`${proxy && url.protocol === 'http:' ? `proxy ${describeProxy(proxy)}: ` : ''}${errorText(err)}`, false, { cause: err }));
    });
    req.end();
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GET `url`, following redirects. The caller consumes (or destroys) `body`. */
export async function httpGet(url: string, headers: Record<string, string>, opts: HttpOptions = {}): Promise<HttpResponse> {
  let current = new URL(url);
  const max = opts.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw new DownloadError(`unsupported URL scheme ${current.protocol} (http and https only)`, false);
    }
    const { res, proxy } = await requestOnce(current, headers, opts);
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status) && res.headers.location) {
      res.resume();
      res.destroy();
      if (hop >= max) throw new DownloadError(`more than ${max} redirects`, false);
      current = new URL(res.headers.location, current);
      continue;
    }
    return {
      status,
      statusMessage: res.statusMessage ?? '',
      headers: res.headers,
      body: res,
      url: current.href,
      proxy: proxy ? describeProxy(proxy) : null,
    };
  }
}
