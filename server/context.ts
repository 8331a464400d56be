/** Per-request state handed to resolvers: the services, who is asking, timing, the URL base. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AuthCheckerFn } from 'type-graphql';
import type { ApiService } from './api-service.js';
import { ApiError } from './errors.js';
import { RequestTiming } from './timing.js';

/** `open`: no key configured; `ok`: the right key; `missing` / `invalid`: a key is required. */
export type AuthState = 'open' | 'ok' | 'missing' | 'invalid';

export interface ApiContext {
  service: ApiService;
  auth: AuthState;
  timing: RequestTiming;
  /** Absolute base for media URLs, no trailing slash. */
  baseUrl: string;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares `Authorization: Bearer <key>` with the configured key in constant time. */
export function authState(header: string | undefined, apiKey: string | undefined): AuthState {
  if (apiKey === undefined) return 'open';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return 'missing';
  return timingSafeEqual(digest(m[1]), digest(apiKey)) ? 'ok' : 'invalid';
}

export function makeContext(service: ApiService, apiKey: string | undefined, publicUrl: string | undefined) {
  return async ({ req }: { req: Request }): Promise<ApiContext> => ({
    service,
    auth: authState(req.headers.authorization, apiKey),
    timing: new RequestTiming(),
    baseUrl: publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
  });
}

/** type-graphql's check for @Authorized(): mutations need the key when one is configured. */
export const authChecker: AuthCheckerFn<ApiContext> = ({ context }) => {
  switch (context.auth) {
    case 'open':
    case 'ok':
      return true;
    case 'missing':
      throw new ApiError('UNAUTHENTICATED', 'this operation needs an API key: send the header "Authorization: Bearer <key>"');
    case 'invalid':
      throw new ApiError('UNAUTHENTICATED', 'the API key is not valid');
  }
};
