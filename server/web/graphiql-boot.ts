/**
 * Starts GraphiQL (UMD globals React, ReactDOM, GraphiQL, served from node_modules by this server)
 * with one tab per example operation and a fetcher that sends the files chosen in the upload
 * helper as a GraphQL multipart request through the SDK: when files are chosen and the operation
 * declares the helper's variable (e.g. `$upload`), they are put into the variables at the
 * helper's path; every other request (introspection included) is a plain JSON request.
 */
import { ImsearchClient, ImsearchError } from '../../sdk/index.js';
import { EXAMPLES, filePaths, setAtPath } from './explorer-examples.js';

interface FetcherParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}
interface FetcherOpts {
  headers?: Record<string, string>;
}
type Fetcher = (p: FetcherParams, o?: FetcherOpts) => Promise<unknown>;
declare const React: { createElement(type: unknown, props: Record<string, unknown>): unknown };
declare const ReactDOM: { createRoot(el: Element): { render(node: unknown): void } };
declare const GraphiQL: { createFetcher(o: { url: string }): Fetcher };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pathInput = $<HTMLInputElement>('upload-path');
const fileInput = $<HTMLInputElement>('upload-file');
const status = $<HTMLSpanElement>('upload-status');

function setStatus(text: string, state: 'idle' | 'chosen' | 'sent' | 'error'): void {
  status.textContent = text;
  status.dataset.state = state;
  status.classList.toggle('error', state === 'error');
}

function describeFiles(files: readonly File[]): string {
  const kb = (b: number) => (b < 1024 ? `${b} B` : `${(b / 1024).toFixed(0)} KiB`);
  return files.map((f) => `${f.name} (${kb(f.size)})`).join(', ');
}

fileInput.addEventListener('change', () => {
  const files = Array.from(fileInput.files ?? []);
  setStatus(files.length ? `chosen: ${describeFiles(files)}` : '', files.length ? 'chosen' : 'idle');
});
$<HTMLButtonElement>('upload-clear').addEventListener('click', () => {
  fileInput.value = '';
  setStatus('', 'idle');
});

const plain = GraphiQL.createFetcher({ url: '/graphql' });

function declaresVariable(query: string, name: string): boolean {
  return new RegExp(`\\$${name.replace(/[^_0-9A-Za-z]/g, '')}\\b`).test(query);
}

/**
 * The operation name GraphiQL sends is tracked from the editor with a delay: right after a tab
 * switch it can still name the previous tab's operation. Keep it only when this document has it.
 */
function operationNameIn(query: string, name: string | null | undefined): string | undefined {
  return name && new RegExp(`\\b(?:query|mutation|subscription)\\s+${name}\\b`).test(query) ? name : undefined;
}

async function fetcher(raw: FetcherParams, opts?: FetcherOpts): Promise<unknown> {
  const params = { ...raw, operationName: operationNameIn(raw.query, raw.operationName) };
  const files = Array.from(fileInput.files ?? []);
  const path = pathInput.value.trim() || 'upload';
  const introspection = params.operationName === 'IntrospectionQuery' || /^\s*query\s+IntrospectionQuery\b/.test(params.query);
  if (!files.length || introspection || !declaresVariable(params.query, path.split('.')[0])) return plain(params, opts);
  let paths: string[];
  try {
    paths = filePaths(path, files.length);
  } catch (err) {
    setStatus((err as Error).message, 'error');
    return { errors: [{ message: (err as Error).message, extensions: { code: 'BAD_USER_INPUT' } }] };
  }
  const variables = JSON.parse(JSON.stringify(params.variables ?? {})) as Record<string, unknown>;
  files.forEach((f, i) => setAtPath(variables, paths[i], f));
  const client = new ImsearchClient({ endpoint: '/graphql', headers: opts?.headers });
  try {
    const result = await client.execute({ toString: () => params.query }, variables, { operationName: params.operationName });
    setStatus(`sent ${describeFiles(files)} as ${paths.map((p) => `$${p}`).join(', ')} (multipart request)`, 'sent');
    return result;
  } catch (err) {
    setStatus(err instanceof ImsearchError ? `${err.code}: ${err.message}` : String(err), 'error');
    if (err instanceof ImsearchError) return { errors: [{ message: err.message, extensions: { code: err.code } }] };
    throw err;
  }
}

const tabs = EXAMPLES.map((e) => ({
  query: (e.files.length ? `# Choose the file in the upload helper above (variable path ${e.files.join(', ')}), then run.\n` : '') + e.query + '\n',
  variables: JSON.stringify(e.variables, null, 2),
}));

/** The file paths of the examples, e.g. upload and input.images.0.file. */
const KNOWN_PATHS = [...new Set(EXAMPLES.flatMap((e) => e.files))];

/** On a tab whose operation does not declare the helper's variable, point the helper at one it does declare. */
function followTab(state: { activeTabIndex: number; tabs: { query: string | null }[] }): void {
  const query = state.tabs[state.activeTabIndex]?.query ?? '';
  if (declaresVariable(query, (pathInput.value.trim() || 'upload').split('.')[0])) return;
  const path = KNOWN_PATHS.find((p) => declaresVariable(query, p.split('.')[0]));
  if (path) pathInput.value = path;
}

/**
 * GraphiQL 3 opens with the first default tab's query but takes the variables editor's first
 * contents from its storage only: on a first visit (no stored tabs), store them there.
 */
function seedFirstVisit(): void {
  try {
    if (localStorage.getItem('graphiql:tabState') === null) localStorage.setItem('graphiql:variables', tabs[0].variables);
  } catch {
    // storage disabled: the variables editor starts empty
  }
}

setStatus('', 'idle');
seedFirstVisit();
ReactDOM.createRoot($('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: tabs,
    defaultEditorToolsVisibility: 'variables',
    shouldPersistHeaders: false,
    onTabChange: followTab,
  }),
);
