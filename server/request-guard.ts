/**
 * What a server without an API key answers. Binding loopback only is not enough on its own: a
 * web page the user visits can send requests to 127.0.0.1 (cross-site requests, and DNS
 * rebinding, where an attacker's name resolves to 127.0.0.1 and the browser treats the server as
 * the attacker's own origin). So such a server answers only requests addressed to a loopback
 * name or its public host (the Host header), and from no web page (no Origin) or a page of its
 * own origin or of an allowed CORS origin. Everything else is 403 with a GraphQL-shaped body.
 * A server with a key relies on the key instead. The same checks apply to WebSocket upgrades
 * (subscriptions): browsers let any page open a WebSocket to any host, CORS does not apply.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import type { ErrorCode } from '../errors/error-codes.js';
import { isLoopback } from './config.js';
import { errorBody } from './errors.js';

export interface GuardOptions {
  publicUrl?: string;
  corsOrigins: readonly string[];
}

/** The host name of a Host header value ("localhost:4000", "[::1]:4000"), or null when it is not one. */
function hostName(host: string | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

/** Why a request is refused, or null when it is answered. */
export type Refusal = { code: ErrorCode; message: string } | null;

/** The check on a request's headers; the HTTP middleware below and the WebSocket upgrade (server/subscriptions.ts) both apply it. */
export function requestCheck({ publicUrl, corsOrigins }: GuardOptions): (headers: IncomingHttpHeaders) => Refusal {
  const publicHost = publicUrl ? new URL(publicUrl).hostname : undefined;
  const origins = new Set([...corsOrigins, ...(publicUrl ? [new URL(publicUrl).origin] : [])]);
  const names = ['localhost', '127.0.0.1', '[::1]', ...(publicHost ? [publicHost] : [])].join(', ');
  return (headers) => {
    const host = hostName(headers.host);
    if (host === null || !(isLoopback(host) || host === publicHost)) {
      return { code: 'FORBIDDEN_HOST', message: `this server answers only requests for ${names} (Host was ${JSON.stringify(headers.host ?? '')}); set --public-url for the name it is reached by` };
    }
    const origin = headers.origin;
    // The Host was checked above, so a page served from it is this server's own.
    if (origin !== undefined && origin !== `http://${headers.host}` && !origins.has(origin)) {
      return { code: 'FORBIDDEN_ORIGIN', message: `requests from pages of ${origin} are not allowed; add the origin with --cors-origin` };
    }
    return null;
  };
}

export function requestGuard(options: GuardOptions): RequestHandler {
  const check = requestCheck(options);
  return (req, res, next) => {
    const refusal = check(req.headers);
    if (refusal) return res.status(403).json(errorBody(refusal.code, refusal.message));
    next();
  };
}
