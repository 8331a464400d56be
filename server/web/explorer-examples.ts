/** Example operations for the explorers, and the curl recipe for multipart uploads. */

export interface Example {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  /** Variable paths that take a file. */
  files: string[];
}

const ITEM = 'id label sourceName url thumbnailUrl';

export const EXAMPLES: Example[] = [
  {
    name: 'similarImages',
    query: `query SimilarImages($upload: Upload!, $k: Int, $collection: String, $minPrecision: Float) {
  similarImages(upload: $upload, k: $k, collection: $collection, minPrecision: $minPrecision) {
    collection
    matches { rank score item { ${ITEM} } }
  }
}`,
    variables: { k: 10 },
    files: ['upload'],
  },
  {
    name: 'similarTo',
    query: `query SimilarTo($id: ID!, $k: Int) {
  similarTo(id: $id, k: $k) {
    matches { rank score item { ${ITEM} } }
  }
}`,
    variables: { id: '1', k: 10 },
    files: [],
  },
  {
    name: 'collections',
    query: `query Collections {
  collections {
    name isDefault itemCount indexSpec labels { label count } models { name dim weight }
    search { method mode vote { k tau minShare } queryExpansion { n alpha } calibratedPrecisions }
  }
  models { name dim description collections }
}`,
    variables: {},
    files: [],
  },
  {
    name: 'items',
    query: `query Items($first: Int, $after: String, $last: Int, $before: String, $label: String) {
  items(first: $first, after: $after, last: $last, before: $before, label: $label) {
    edges { cursor node { ${ITEM} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`,
    variables: { first: 20 },
    files: [],
  },
  {
    name: 'addImages',
    query: `mutation AddImages($input: AddImagesInput!) {
  addImages(input: $input) {
    added unchanged failed
    results { index filename status code reason message item { ${ITEM} } }
  }
}`,
    variables: { input: { images: [{ label: 'my-label' }] } },
    files: ['input.images.0.file'],
  },
  {
    name: 'indexFolder',
    query: `mutation IndexFolder($input: IndexFolderInput!) {
  indexFolder(input: $input) { job { id state done total } }
}`,
    variables: { input: { path: '/path/inside/a/configured/root' } },
    files: [],
  },
  {
    name: 'job',
    query: `query Job($id: ID!) {
  job(id: $id) {
    id kind state done total failed failures { path reason message } added unchanged message code
    fit {
      method pcaDim shrinkage mode vote { k tau minShare } queryExpansion { n alpha }
      scores { baseline { map classBalancedMap precisionAt1 } metric { map classBalancedMap precisionAt1 } reranked { map classBalancedMap precisionAt1 } }
      thresholds { targetPrecision achievable threshold precision recall }
    }
  }
}`,
    variables: { id: '' },
    files: [],
  },
  {
    name: 'rebuildIndex',
    query: `mutation RebuildIndex($input: RebuildIndexInput!) {
  rebuildIndex(input: $input) { job { id state message } }
}`,
    variables: { input: { indexSpec: 'hnsw:M=32,efSearch=128' } },
    files: [],
  },
  {
    name: 'fitMetric',
    query: `mutation FitMetric($input: FitMetricInput!) {
  fitMetric(input: $input) { job { id state message } }
}`,
    variables: { input: { mode: 'TRANSFORM' } },
    files: [],
  },
];

/** Sets `value` at a dotted path ("images.0.file"), creating objects and arrays on the way. */
export function setAtPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> | unknown[] = target;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const k: string | number = Array.isArray(node) ? Number(key) : key;
    const bag = node as Record<string | number, unknown>;
    if (last) {
      bag[k] = value;
      return;
    }
    if (bag[k] === null || typeof bag[k] !== 'object') bag[k] = /^\d+$/.test(keys[i + 1]) ? [] : {};
    node = bag[k] as Record<string, unknown> | unknown[];
  });
}

/**
 * Where `n` files go: the path itself for one file; for several, the first numeric segment of
 * the path counts up ("images.0.file" -> images.0.file, images.1.file, ...). A path without a
 * numeric segment takes one file only.
 */
export function filePaths(path: string, n: number): string[] {
  if (n <= 1) return n === 1 ? [path] : [];
  const keys = path.split('.');
  const at = keys.findIndex((k) => /^\d+$/.test(k));
  if (at < 0) throw new Error(`${n} files chosen, but the variable path "${path}" takes one: use a list path such as images.0.file`);
  const first = Number(keys[at]);
  return Array.from({ length: n }, (_, i) => [...keys.slice(0, at), String(first + i), ...keys.slice(at + 1)].join('.'));
}

export function curlExample(origin: string): string {
  return `# similarImages with a file (GraphQL multipart request; the preflight header is required)
curl ${origin}/graphql \\
  -H 'Apollo-Require-Preflight: true' \\
  -F operations='{"query":"query($upload: Upload!) { similarImages(upload: $upload, k: 5) { matches { rank score item { label url } } } }","variables":{"upload":null}}' \\
  -F map='{"0":["variables.upload"]}' \\
  -F 0=@photo.jpg

# addImages (mutations need the API key when the server has one)
curl ${origin}/graphql \\
  -H 'Apollo-Require-Preflight: true' -H 'Authorization: Bearer YOUR_KEY' \\
  -F operations='{"query":"mutation($input: AddImagesInput!) { addImages(input: $input) { added results { status item { id } } } }","variables":{"input":{"images":[{"file":null,"label":"cats"}]}}}' \\
  -F map='{"0":["variables.input.images.0.file"]}' \\
  -F 0=@cat.jpg`;
}
