/**
 * /graphiql: a GraphQL explorer served entirely by this server (Apollo's CDN landing page is
 * disabled). When the `graphiql` (3.x UMD build), `react` and `react-dom` (18, UMD) packages are
 * installed, their files are served from node_modules and GraphiQL runs with an upload helper
 * beside it; otherwise a built-in explorer (query, variables, headers, file attachments, schema)
 * is served. Both send files as GraphQL multipart requests through the SDK.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';

interface Vendor {
  [file: string]: string;
}

const CANDIDATES: Record<string, { pkg: string; files: string[] }> = {
  'react.js': { pkg: 'react', files: ['umd/react.production.min.js'] },
  'react-dom.js': { pkg: 'react-dom', files: ['umd/react-dom.production.min.js'] },
  'graphiql.js': { pkg: 'graphiql', files: ['graphiql.min.js', 'dist/graphiql.min.js', 'dist/index.umd.js'] },
  'graphiql.css': { pkg: 'graphiql', files: ['graphiql.min.css', 'dist/graphiql.min.css', 'graphiql.css', 'dist/style.css'] },
};

/** The GraphiQL bundle files found in node_modules, or null when any is missing. */
export function findGraphiqlBundle(): Vendor | null {
  const require = createRequire(import.meta.url);
  const found: Vendor = {};
  for (const [name, { pkg, files }] of Object.entries(CANDIDATES)) {
    let dir: string;
    try {
      dir = path.dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      return null;
    }
    const file = files.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) return null;
    found[name] = file;
  }
  return found;
}

/** `csp` applies to the built-in explorer; GraphiQL's bundle gets no policy (it injects styles). */
export function explorerRouter(publicDir: string, csp: string): express.Router {
  const router = express.Router();
  const vendor = findGraphiqlBundle();
  const page = path.join(publicDir, vendor ? 'graphiql.html' : 'explorer.html');
  router.get('/', (_req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!vendor) res.setHeader('Content-Security-Policy', csp);
    res.sendFile(page);
  });
  router.get('/vendor/:file', (req, res) => {
    const file = vendor?.[String(req.params.file)];
    if (!file) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(file);
  });
  return router;
}
