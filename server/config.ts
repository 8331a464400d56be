/**
 * Server configuration: validated options with safe defaults (sharp's habit: one predicate per
 * kind of value, one message builder, messages that say what was expected and what was received).
 */
import net from 'node:net';
import { ImsearchError } from '../errors/error-codes.js';
import { DEFAULT_LIMITS as SERVICE_LIMITS, type Limits, parsePositiveInt } from '../service/limits.js';
import { DEFAULT_QUERY_COST_LIMITS, type QueryCostLimits } from './query-cost-limits.js';

/** The service's limits plus the HTTP layer's own and the query cost limits. */
export interface ServerLimits extends Limits, QueryCostLimits {
  /** Largest JSON request body, bytes. */
  maxJsonBytes: number;
}

export interface ServerConfig {
  dataDir: string;
  modelDir: string;
  /** Collections loaded before listening (empty: every one in dataDir); the first is the default. Every collection of dataDir is served. */
  collections: string[];
  host: string;
  port: number;
  /** Required on mutations when set (Authorization: Bearer <key>). */
  apiKey?: string;
  /** Folders `indexFolder` may read (real paths; nothing outside them). Empty = indexFolder refused. */
  roots: string[];
  limits: ServerLimits;
  /** ONNX Runtime intra-op threads per model session (default: physical cores). */
  threads?: number;
  /** Absolute base for media URLs in responses (e.g. behind a proxy); default: the listening address. Never taken from a request. */
  publicUrl?: string;
  /** Exact origins (scheme://host[:port]) whose pages may call the API from a browser; empty: none. */
  corsOrigins: string[];
  /** Edge of the thumbnails made for `thumbnailUrl`, pixels. */
  thumbnailSize: number;
  /** Log one line per request and startup facts to this function (default: nothing). */
  log?: (line: string) => void;
}

/** Numbers may come as strings (flags, environment variables): each is checked. */
type Numeric = number | string;

export interface ServerConfigInput {
  dataDir: string;
  modelDir: string;
  collections?: readonly string[];
  host?: string;
  port?: Numeric;
  apiKey?: string;
  roots?: readonly string[];
  limits?: { [K in keyof ServerLimits]?: Numeric };
  threads?: Numeric;
  publicUrl?: string;
  corsOrigins?: readonly string[];
  thumbnailSize?: Numeric;
  log?: (line: string) => void;
}

export const DEFAULT_LIMITS: ServerLimits = { ...SERVICE_LIMITS, ...DEFAULT_QUERY_COST_LIMITS, maxJsonBytes: 1024 * 1024 };

export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_THUMBNAIL_SIZE = 256;

/** A bad server option: BAD_USER_INPUT, named so start-up failures say where they come from. */
export class ConfigError extends ImsearchError {
  override name = 'ConfigError';
  constructor(message: string) {
    super('BAD_USER_INPUT', message);
  }
}

const expected = (what: string, name: string, value: unknown) =>
  new ConfigError(`Expected ${what} for ${name} but received ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);

export function portNumber(value: unknown, name = 'port'): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) throw expected('port number from 0 to 65535', name, value);
  return n;
}

/** `value` when it is exactly a web origin: http(s), host, optional port; no path, query or trailing slash. */
export function exactOrigin(value: unknown, name: string): string {
  let origin: string | undefined;
  try {
    const url = new URL(String(value));
    if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
  } catch {
    // not a URL at all: reported below with the other wrong forms
  }
  if (origin === undefined || origin !== value) throw expected('an exact origin such as https://app.example.com (scheme, host, port; no path)', name, value);
  return origin;
}

/** 127.0.0.0/8, ::1, ::ffff:127.x and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Fills defaults and checks every value; refuses unauthenticated mutations on a non-loopback
 * address (the server would let anyone on the network add, remove and index files).
 */
export function resolveServerConfig(input: ServerConfigInput): ServerConfig {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(input.limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw new ConfigError(`Unknown limit "${key}": expected one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    if (value !== undefined) limits[key as keyof ServerLimits] = parsePositiveInt(key, value);
  }
  const host = input.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host.trim() === '') throw expected('host name or address', 'host', host);
  const apiKey = input.apiKey === '' ? undefined : input.apiKey;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey.length < 8)) {
    throw new ConfigError('Expected an API key of at least 8 characters for apiKey');
  }
  if (apiKey === undefined && !isLoopback(host)) {
    throw new ConfigError(
      `Refusing to serve unauthenticated mutations on ${host}: set an API key (--api-key or IMSEARCH_API_KEY) or bind to a loopback address (--host 127.0.0.1)`,
    );
  }
  if (input.publicUrl !== undefined && !/^https?:\/\//.test(input.publicUrl)) throw expected('an http(s) URL', 'publicUrl', input.publicUrl);
  return {
    dataDir: input.dataDir,
    modelDir: input.modelDir,
    collections: [...(input.collections ?? [])],
    host,
    port: portNumber(input.port ?? DEFAULT_PORT),
    apiKey,
    roots: [...(input.roots ?? [])],
    limits,
    threads: input.threads === undefined ? undefined : parsePositiveInt('threads', input.threads),
    publicUrl: input.publicUrl?.replace(/\/+$/, ''),
    corsOrigins: [...new Set((input.corsOrigins ?? []).map((o) => exactOrigin(o, 'corsOrigins')))],
    thumbnailSize: parsePositiveInt('thumbnailSize', input.thumbnailSize ?? DEFAULT_THUMBNAIL_SIZE),
    log: input.log,
  };
}
