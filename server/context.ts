/** Per-request state handed to resolvers: the service, the server's own parts, who is asking, timing, the URL base. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { AuthCheckerFn } from 'type-graphql';
import { ImsearchError } from '../errors/error-codes.js';
import type { ImsearchService } from '../service/service.js';
import type { ServerLimits } from './config.js';
import type { JobRegistry } from './jobs.js';
import type { AllowedRoots } from './roots.js';
import { RequestTiming } from './timing.js';

/** What the server adds to the service: its job registry, the folders indexFolder may read, its limits. */
export interface ServerParts {
  service: ImsearchService;
  jobs: JobRegistry;
  roots: AllowedRoots;
  limits: ServerLimits;
}

/** `open`: no key configured; `ok`: the right key; `missing` / `invalid`: a key is required. */
export type AuthState = 'open' | 'ok' | 'missing' | 'invalid';

export interface ApiContext extends ServerParts {
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

/** `baseUrl` gives the configured public URL or the listening address: never a request header, which a client can forge. */
export function makeContext(parts: ServerParts, apiKey: string | undefined, baseUrl: () => string) {
  return async ({ req }: { req: Request }): Promise<ApiContext> => apiContext(parts, authState(req.headers.authorization, apiKey), baseUrl());
}

/** The context of one operation (an HTTP request, or a subscription on a WebSocket connection). */
export function apiContext(parts: ServerParts, auth: AuthState, baseUrl: string): ApiContext {
  return { ...parts, auth, timing: new RequestTiming(), baseUrl };
}

/** type-graphql's check for @Authorized(): mutations need the key when one is configured. */
export const authChecker: AuthCheckerFn<ApiContext> = ({ context }) => {
  switch (context.auth) {
    case 'open':
    case 'ok':
      return true;
    case 'missing':
      throw new ImsearchError('UNAUTHENTICATED', 'this operation needs an API key: send the header "Authorization: Bearer <key>"');
    case 'invalid':
      throw new ImsearchError('UNAUTHENTICATED', 'the API key is not valid');
  }
};
