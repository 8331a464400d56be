/**
 * Starts GraphiQL (UMD globals from node_modules, served by the server) with a fetcher that sends
 * the file chosen in the upload helper as a GraphQL multipart request through the SDK.
 */
import { ImsearchClient } from '../../sdk/index.js';
import { EXAMPLES, setAtPath } from './explorer-examples.js';

interface FetcherParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}
interface FetcherOpts {
  headers?: Record<string, string>;
}
declare const React: { createElement(type: unknown, props: Record<string, unknown>): unknown };
declare const ReactDOM: { createRoot(el: Element): { render(node: unknown): void } };
declare const GraphiQL: { createFetcher(o: { url: string }): (p: FetcherParams, o?: FetcherOpts) => Promise<unknown> };

const pathInput = document.getElementById('upload-path') as HTMLInputElement;
const fileInput = document.getElementById('upload-file') as HTMLInputElement;
(document.getElementById('upload-clear') as HTMLButtonElement).addEventListener('click', () => {
  fileInput.value = '';
});

const plain = GraphiQL.createFetcher({ url: '/graphql' });

async function fetcher(params: FetcherParams, opts?: FetcherOpts): Promise<unknown> {
  const file = fileInput.files?.[0];
  if (!file || /^\s*query\s+IntrospectionQuery/.test(params.query)) return plain(params, opts);
  const variables = { ...(params.variables ?? {}) };
  setAtPath(variables, pathInput.value.trim() || 'upload', file);
  const client = new ImsearchClient({ endpoint: '/graphql', headers: opts?.headers });
  return client.execute({ toString: () => params.query }, variables);
}

ReactDOM.createRoot(document.getElementById('graphiql')!).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: `# Choose a file in the upload helper above, then run:\n${EXAMPLES[0].query}\n`,
    defaultHeaders: '{}',
  }),
);
