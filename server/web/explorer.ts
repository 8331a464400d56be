/**
 * The built-in GraphQL explorer (served at /graphiql when no GraphiQL bundle is installed):
 * query + variables + headers, and file attachments put into the variables at a path, sent as a
 * GraphQL multipart request by the SDK. Examples for every operation of the API.
 */
import { ImsearchClient, ImsearchError } from '../../sdk/index.js';
import { EXAMPLES, curlExample, setAtPath } from './explorer-examples.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const query = $<HTMLTextAreaElement>('query');
const variables = $<HTMLTextAreaElement>('variables');
const example = $<HTMLSelectElement>('example');
const run = $<HTMLButtonElement>('run');
const response = $<HTMLPreElement>('response');
const timing = $<HTMLParagraphElement>('timing');
const apiKey = $<HTMLInputElement>('api-key');
const rows = $<HTMLDivElement>('file-rows');

function addFileRow(path = 'upload'): void {
  const row = document.createElement('div');
  row.className = 'file-row';
  const p = document.createElement('input');
  p.type = 'text';
  p.value = path;
  p.className = 'file-path';
  p.setAttribute('aria-label', 'variable path');
  const f = document.createElement('input');
  f.type = 'file';
  f.className = 'file-input';
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = '✕';
  remove.title = 'remove';
  remove.addEventListener('click', () => row.remove());
  row.append(p, f, remove);
  rows.append(row);
}

function loadExample(name: string): void {
  const e = EXAMPLES.find((x) => x.name === name) ?? EXAMPLES[0];
  query.value = e.query;
  variables.value = JSON.stringify(e.variables, null, 2);
  rows.replaceChildren();
  for (const path of e.files) addFileRow(path);
}

async function execute(): Promise<void> {
  let vars: Record<string, unknown>;
  try {
    vars = variables.value.trim() ? (JSON.parse(variables.value) as Record<string, unknown>) : {};
  } catch (err) {
    response.textContent = `Variables are not valid JSON: ${(err as Error).message}`;
    return;
  }
  for (const row of Array.from(rows.querySelectorAll('.file-row'))) {
    const path = (row.querySelector('.file-path') as HTMLInputElement).value.trim();
    const file = (row.querySelector('.file-input') as HTMLInputElement).files?.[0];
    if (path && file) setAtPath(vars, path, file);
  }
  const client = new ImsearchClient({ endpoint: '/graphql', apiKey: apiKey.value || undefined });
  run.disabled = true;
  response.textContent = '…';
  timing.textContent = '';
  try {
    const text = query.value;
    const result = await client.execute({ toString: () => text }, vars);
    response.textContent = JSON.stringify(result, null, 2);
    const t = result.extensions?.timing;
    if (t) timing.textContent = Object.entries(t).map(([k, v]) => `${k} ${v}`).join(' · ');
  } catch (err) {
    response.textContent = err instanceof ImsearchError ? `${err.code}: ${err.message}` : String(err);
  } finally {
    run.disabled = false;
  }
}

for (const e of EXAMPLES) {
  const o = document.createElement('option');
  o.value = o.textContent = e.name;
  example.append(o);
}
example.addEventListener('change', () => loadExample(example.value));
$<HTMLButtonElement>('add-file').addEventListener('click', () => addFileRow(''));
run.addEventListener('click', () => void execute());
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void execute();
});
loadExample(EXAMPLES[0].name);
$<HTMLPreElement>('curl').textContent = curlExample(location.origin);
void fetch('/schema.graphql')
  .then((r) => r.text())
  .then((sdl) => ($<HTMLPreElement>('schema').textContent = sdl));
