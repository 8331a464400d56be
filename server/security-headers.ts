/**
 * Headers on every response, whatever answers it (API, pages, media, errors, 404s): no MIME
 * sniffing, and a deny-all content security policy that the HTML pages replace with their own,
 * so no HTML can go out without one.
 */
import type { RequestHandler } from 'express';

const DEFAULT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', DEFAULT_POLICY);
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}
