/**
 * Proxy selection from the environment, with the usual curl / wget conventions:
 * `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http URLs (lower
 * case wins), `all_proxy` / `ALL_PROXY` as a fallback, and `no_proxy` / `NO_PROXY` as a comma- or
 * space-separated list of exceptions: `*`, host names (matching the host and its subdomains; a
 * leading `.` or `*.` is allowed), IPv4 addresses or CIDR ranges, each optionally with `:port`.
 * Loopback (localhost, 127.0.0.0/8, ::1) is never proxied, whether or not NO_PROXY lists it.
 */
import net from 'node:net';

export type Env = Record<string, string | undefined>;

function envValue(env: Env, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
}

function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
}

export function isLoopback(hostname: string): boolean {
  const h = bareHost(hostname);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function matchesEntry(host: string, port: number, rawEntry: string): boolean {
  let entry = rawEntry.trim().toLowerCase();
  if (!entry) return false;
  if (entry === '*') return true;
  // Optional :port (IPv6 literals must be bracketed to carry one).
  let entryPort: number | null = null;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    entry = bracketed[1]!;
    entryPort = bracketed[2] ? Number(bracketed[2]) : null;
  } else if (!net.isIPv6(entry)) {
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1]!;
      entryPort = Number(m[2]);
    }
  }
  if (entryPort !== null && entryPort !== port) return false;
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry);
  if (cidr) {
    if (!net.isIPv4(host)) return false;
    const bits = Number(cidr[2]);
    if (bits > 32) return false;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((ipv4ToInt(host) & mask) >>> 0) === ((ipv4ToInt(cidr[1]!) & mask) >>> 0);
  }
  entry = entry.replace(/^\*?\./, '');
  if (net.isIP(entry) || net.isIP(host)) return host === entry;
  return host === entry || host.endsWith(`.${entry}`);
}

/** True when `url` must be fetched directly (loopback, or covered by NO_PROXY). */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (isLoopback(url.hostname)) return true;
  if (!noProxy) return false;
  const host = bareHost(url.hostname);
  const port = defaultPort(url);
  return noProxy.split(/[\s,]+/).some((e) => matchesEntry(host, port, e));
}

/** The proxy to use for `url` given the environment, or null for a direct connection. */
export function proxyForUrl(url: URL, env: Env = process.env): URL | null {
  const raw =
    (url.protocol === 'https:' ? envValue(env, 'https_proxy') : url.protocol === 'http:' ? envValue(env, 'http_proxy') : undefined) ??
    envValue(env, 'all_proxy');
  if (!raw) return null;
  if (bypassesProxy(url, envValue(env, 'no_proxy'))) return null;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new Error(`invalid proxy setting "${raw}"`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new Error(`unsupported proxy protocol ${proxy.protocol} in "${raw}" (http:// and https:// proxies are supported)`);
  }
  return proxy;
}

/** The proxy URL without credentials, for messages. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
