/**
 * GraphQL subscriptions (jobUpdated) over WebSocket, graphql-ws protocol, on the HTTP server's
 * /graphql path, with the same schema and context as queries. The API key, when the server has
 * one, is checked once per connection, from connectionParams { authorization: "Bearer <key>" }
 * (browsers cannot set headers on a WebSocket); a server without one applies the Host/Origin
 * checks to the upgrade request, as it does to HTTP requests.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type ServerParts, apiContext, authState } from './context.js';
import { errorBody, formatError } from './errors.js';
import type { Refusal } from './request-guard.js';

export interface SubscriptionOptions {
  schema: GraphQLSchema;
  parts: ServerParts;
  apiKey: string | undefined;
  /** The Host/Origin check of a server without a key (null: none). */
  check: ((headers: http.IncomingHttpHeaders) => Refusal) | null;
  baseUrl: () => string;
  log: (line: string) => void;
}

const PATH = '/graphql';

/** Serves subscriptions on `httpServer`; `close()` ends every connection (at shutdown, before the HTTP server drains). */
export function serveSubscriptions(httpServer: http.Server, o: SubscriptionOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ noServer: true });
  const format = formatError(o.log);
  const authOf = (params: Readonly<Record<string, unknown>> | undefined) =>
    authState(typeof params?.authorization === 'string' ? params.authorization : undefined, o.apiKey);
  const server = useServer(
    {
      schema: o.schema,
      // Refused connections close with 4403 Forbidden.
      onConnect: (ctx) => {
        const auth = authOf(ctx.connectionParams);
        return auth === 'open' || auth === 'ok';
      },
      context: (ctx) => apiContext(o.parts, authOf(ctx.connectionParams), o.baseUrl()),
      // The same error shapes and codes as over HTTP (Apollo's formatError there).
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => format(e.toJSON(), e) as GraphQLFormattedError) } : undefined,
    },
    wss,
  );
  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const refusal = o.check?.(req.headers);
    if (refusal) {
      const body = JSON.stringify(errorBody(refusal.code, refusal.message));
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  httpServer.on('upgrade', upgrade);
  return {
    async close() {
      httpServer.off('upgrade', upgrade);
      await server.dispose();
    },
  };
}
