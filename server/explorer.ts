/**
 * The GraphQL explorers, both served entirely by this server (Apollo's CDN landing page is
 * disabled, nothing is fetched from elsewhere):
 *
 * - /explorer: the built-in explorer (query, variables, headers, several file attachments,
 *   schema), always available;
 * - /graphiql: GraphiQL 3 (UMD build) on React 18 (UMD), with an upload helper above it, when the
 *   `graphiql`, `react` and `react-dom` packages are installed (their files are served from
 *   node_modules under /graphiql/vendor/); the built-in explorer otherwise.
 *
 * Both send files as GraphQL multipart requests through the SDK.
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

/**
 * The GraphiQL page's policy: like the other pages (scripts, connections, fonts and images from
 * this server only), except that GraphiQL's components inject <style> elements at run time.
 */
export function graphiqlSecurityPolicy(pagePolicy: string): string {
  return pagePolicy.replace(/^default-src 'self';/, "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:;");
}

function sendPage(res: express.Response, file: string, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.sendFile(file);
}

/** /explorer: the built-in explorer page. */
export function builtinExplorerRouter(publicDir: string, csp: string): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => sendPage(res, path.join(publicDir, 'explorer.html'), csp));
  return router;
}

/** /graphiql: GraphiQL when its bundle is installed (vendor files under /graphiql/vendor/), else the built-in explorer. */
export function explorerRouter(publicDir: string, csp: string, vendor: Vendor | null = findGraphiqlBundle()): express.Router {
  const router = express.Router();
  const page = path.join(publicDir, vendor ? 'graphiql.html' : 'explorer.html');
  const policy = vendor ? graphiqlSecurityPolicy(csp) : csp;
  router.get('/', (_req, res) => sendPage(res, page, policy));
  router.get('/vendor/:file', (req, res) => {
    const file = vendor?.[String(req.params.file)];
    if (!file) {
      res.status(404).type('text/plain').send('not found');
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(file);
  });
  return router;
}
