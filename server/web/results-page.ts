/**
 * The results page (served at /): pick, drop or paste an image, see the top matches as a grid of
 * thumbnails with scores and labels, each with its explanation folded underneath (a native
 * details element: reachable with Tab, opened with Enter or Space), and the predicted class above.
 * A match is a link to its own neighbours ("more like this", the similarTo query): the address
 * (results-view.ts) names the collection, the item and k, so it can be shared, and each search is
 * a history entry (Back returns to the previous list; a picked image is kept in memory for it).
 * The matches can be narrowed to one of their labels, and "show more" asks again with a larger
 * k, up to the server's limit. Runs in the browser on the SDK (served as ES modules).
 */
import { type CollectionFieldsFragment, ImsearchClient, ImsearchError, type SearchResult } from '../../sdk/index.js';
import { type View, addressOf, nextK, viewFromSearch } from './results-view.js';

const client = new ImsearchClient({ endpoint: '/graphql' });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const drop = $<HTMLLabelElement>('drop');
const fileInput = $<HTMLInputElement>('file');
const preview = $<HTMLImageElement>('preview');
const queryCaption = $<HTMLSpanElement>('query-caption');
const hint = $<HTMLSpanElement>('drop-hint');
const kInput = $<HTMLInputElement>('k');
const collectionSelect = $<HTMLSelectElement>('collection');
const precisionSelect = $<HTMLSelectElement>('precision');
const status = $<HTMLParagraphElement>('status');
const results = $<HTMLElement>('results');
const predictionLine = $<HTMLParagraphElement>('prediction');
const labelFilter = $<HTMLDivElement>('label-filter');
const moreButton = $<HTMLButtonElement>('more');

type Match = SearchResult['matches'][number];
type Item = Match['item'];
type Prediction = NonNullable<SearchResult['prediction']>;

/** What a view searches with: a picked image, or an item of the collection (null: not yet known, e.g. from an address). */
type Query = { kind: 'image'; file: File } | { kind: 'item'; id: string; item: Item | null };

/** The history entry of an image query names its image by a key into this (images never go into an address). */
interface EntryState {
  image?: number;
}
const images = new Map<number, File>();
const KEPT_IMAGES = 20;
let imageKeys = 0;

let view: View = viewFromSearch('', { k: Number(kInput.defaultValue) });
let query: Query | null = null;
let maxK = Number.POSITIVE_INFINITY;
let collections: CollectionFieldsFragment[] = [];
let generation = 0;
/** The items on screen by id, for "more like this". */
let shown = new Map<string, Item>();
/** The k of the next "show more"; null when there is no more. */
let nextPageK: number | null = null;
/** The object URL that shows the image query's file. */
let objectUrl: { file: File; url: string } | null = null;

function setStatus(text: string, error?: ImsearchError): void {
  status.textContent = text;
  status.classList.toggle('error', !!error);
  if (error) status.dataset.code = error.code;
  else delete status.dataset.code;
}

const percent = (x: number) => `${(100 * x).toFixed(0)}\u00a0%`;

/** A new element with these properties (className, textContent, href, ...) and children. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), props);
  element.append(...children);
  return element;
}

const row = (name: string, value: string) => [el('dt', { textContent: name }), el('dd', { textContent: value })];

function explanationOf(m: Match): HTMLDetailsElement | null {
  const e = m.explanation;
  if (!e) return null;
  const list = el(
    'dl',
    {},
    ...e.models.flatMap((x) => row(`cosine, ${x.model}`, x.cosine.toFixed(3))),
    ...row(e.scoreKind === 'METRIC' ? 'learned-metric score' : 'cosine score', e.score.toFixed(3)),
    ...row('probability of the same class', e.probability === null ? 'not calibrated' : percent(e.probability)),
    ...row(`share of ${m.item.label ?? 'its class'} in the vote`, percent(e.classShare)),
  );
  return el('details', { className: 'explanation' }, el('summary', { textContent: 'Why this result' }), list);
}

function describePrediction(p: Prediction | null | undefined): string {
  if (!p) return '';
  const part = (label: string, share: number, probability: number | null) =>
    `${label} (${percent(share)} of the vote${probability === null ? '' : `, probability ${percent(probability)}`})`;
  return `Looks like: ${part(p.label, p.share, p.probability)}` + (p.runnerUp ? `; runner-up ${part(p.runnerUp.label, p.runnerUp.share, p.runnerUp.probability)}` : '');
}

function matchFigure(m: Match, collection: string): HTMLElement {
  const { item } = m;
  const thumbnail = el('img', { src: item.thumbnailUrl, alt: `More like this: ${item.label ?? 'unlabelled'}, ${item.sourceName}`, loading: 'lazy' });
  const more = el('a', { className: 'more', href: addressOf({ ...view, collection, similarTo: item.id }), title: 'More like this' }, thumbnail);
  more.dataset.id = item.id;
  const open = el('a', { className: 'open', href: item.url, target: '_blank', rel: 'noopener', textContent: 'full image ↗' });
  open.setAttribute('aria-label', `Open the full image ${item.sourceName}`);
  const lines = el(
    'figcaption',
    {},
    el('span', { className: 'label', textContent: `${m.rank}. ${item.label ?? '—'}`, title: item.sourceName }),
    el('span', { className: 'score', textContent: m.score.toFixed(3) }),
    open,
  );
  const figure = el('figure', { className: 'match' }, more, lines);
  Object.assign(figure.dataset, { rank: String(m.rank), label: item.label ?? '', score: String(m.score), id: item.id });
  const why = explanationOf(m);
  if (why) figure.append(why);
  return figure;
}

/** The label shown, or undefined for all of them. */
const chosenLabel = () => labelFilter.querySelector<HTMLInputElement>('input:checked')?.dataset.label;

function applyLabelFilter(): void {
  const label = chosenLabel();
  for (const figure of Array.from(results.querySelectorAll<HTMLElement>('.match'))) figure.hidden = label !== undefined && figure.dataset.label !== label;
}

function filterChoice(text: string, count: number, label: string | undefined, checked: boolean): HTMLLabelElement {
  const input = el('input', { type: 'radio', name: 'label', checked });
  if (label !== undefined) input.dataset.label = label;
  return el('label', { className: 'chip' }, input, el('span', { textContent: `${text} (${count})` }));
}

/** One choice per label of the matches (most frequent first) and "all"; hidden unless there are two labels to choose from. */
function renderLabelFilter(matches: readonly Match[], keep: string | undefined): void {
  const counts = new Map<string, number>();
  for (const m of matches) counts.set(m.item.label ?? '', (counts.get(m.item.label ?? '') ?? 0) + 1);
  const labels = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const kept = keep !== undefined && counts.has(keep) ? keep : undefined;
  labelFilter.replaceChildren(
    filterChoice('all', matches.length, undefined, kept === undefined),
    ...labels.map(([label, count]) => filterChoice(label || 'unlabelled', count, label, label === kept)),
  );
  labelFilter.hidden = labels.length < 2;
  applyLabelFilter();
}

/** The matches, the prediction, the label filter (its choice kept when asked and still there) and the "show more" button. */
function render(result: SearchResult, keepFilter: boolean): void {
  const keep = keepFilter ? chosenLabel() : undefined;
  predictionLine.textContent = describePrediction(result.prediction);
  shown = new Map(result.matches.map((m) => [m.item.id, m.item]));
  results.replaceChildren(...result.matches.map((m) => matchFigure(m, result.collection)));
  renderLabelFilter(result.matches, keep);
  // An item's neighbours are the rest of its collection.
  const available = (collections.find((c) => c.name === result.collection)?.itemCount ?? Number.POSITIVE_INFINITY) - (query?.kind === 'item' ? 1 : 0);
  nextPageK = nextK(view.k, result.matches.length, { maxK, available });
  moreButton.hidden = nextPageK === null;
  if (nextPageK !== null) moreButton.textContent = `Show ${nextPageK - view.k} more`;
}

function clearResults(): void {
  results.replaceChildren();
  shown = new Map();
  predictionLine.textContent = '';
  labelFilter.hidden = true;
  labelFilter.replaceChildren();
  nextPageK = null;
  moreButton.hidden = true;
}

/** The object URL of an image query's file (one at a time: the previous one is released). */
function fileUrl(file: File | null): string | null {
  if (objectUrl && objectUrl.file !== file) {
    URL.revokeObjectURL(objectUrl.url);
    objectUrl = null;
  }
  if (file && !objectUrl) objectUrl = { file, url: URL.createObjectURL(file) };
  return objectUrl?.url ?? null;
}

function showPreview(src: string | null, alt: string, text: string): void {
  if (src === null) preview.removeAttribute('src');
  else preview.src = src;
  preview.alt = alt;
  preview.hidden = src === null;
  queryCaption.textContent = text;
  queryCaption.hidden = src === null;
  hint.hidden = src !== null;
}

/** The query in the drop box: the picked image, or the item's thumbnail once it is known. */
function showQuery(): void {
  const url = fileUrl(query?.kind === 'image' ? query.file : null);
  if (query?.kind === 'image') {
    showPreview(url, query.file.name, query.file.name);
  } else if (query?.kind === 'item' && query.item) {
    const { item } = query;
    showPreview(item.thumbnailUrl, `${item.label ?? 'unlabelled'}: ${item.sourceName}`, `More like ${item.label ?? 'this'} (${item.sourceName})`);
  } else {
    showPreview(null, '', '');
  }
}

function timingText(kind: Query['kind']): string {
  const t = client.lastTiming;
  if (!t) return '';
  const stages = kind === 'image' ? `decode + embed ${t.embedMs?.toFixed(0) ?? '?'} ms, search ${t.searchMs?.toFixed(1) ?? '?'} ms` : `search ${t.searchMs?.toFixed(1) ?? '?'} ms`;
  return ` in ${t.totalMs.toFixed(0)} ms (${stages})`;
}

/** Looks up the query's item when only its id is known (an address), to show it; a miss is the search's error to report. */
async function lookUp(q: Query & { kind: 'item' }, collection: string | undefined): Promise<void> {
  if (q.item) return;
  try {
    q.item = await client.item(q.id, collection);
  } catch {
    // UNKNOWN_ITEM and the like: similarTo says so.
  }
}

/** Runs the view's query and shows its matches; `focus` says where the keyboard goes afterwards. */
async function search(opts: { keepFilter?: boolean; focus?: 'first' | { rank: number } } = {}): Promise<void> {
  const q = query;
  if (!q) return;
  const mine = ++generation;
  const collection = view.collection ?? undefined;
  const options = { k: view.k, collection, minPrecision: view.precision ?? undefined, explain: true };
  setStatus(`Searching ${collection ?? 'the default collection'}…`);
  document.body.dataset.state = 'searching';
  results.setAttribute('aria-busy', 'true');
  try {
    const [result] = await Promise.all([
      q.kind === 'image' ? client.similarImages(q.file, options) : client.similarTo(q.id, options),
      q.kind === 'item' ? lookUp(q, collection) : undefined,
    ]);
    if (mine !== generation) return;
    if (q.kind === 'item') showQuery();
    render(result, opts.keepFilter ?? false);
    const cut = view.precision === null ? '' : ` (of up to ${view.k} at precision ≥ ${view.precision})`;
    const of = q.kind === 'item' ? ` for item ${q.id}${q.item?.label ? ` (${q.item.label})` : ''}` : '';
    setStatus(`${result.matches.length} matches${cut} in ${result.collection}${of}${timingText(q.kind)}`);
    moveFocus(opts.focus);
    document.body.dataset.state = 'done';
  } catch (err) {
    if (mine !== generation) return;
    clearResults();
    const e = err instanceof ImsearchError ? err : new ImsearchError('NETWORK_ERROR', String(err));
    setStatus(`${e.code}: ${e.message}`, e);
    document.body.dataset.state = 'error';
  } finally {
    if (mine === generation) results.removeAttribute('aria-busy');
  }
}

/** After a search the keyboard goes to the first match (a new list) or the first new one that is shown (show more). */
function moveFocus(focus: 'first' | { rank: number } | undefined): void {
  if (!focus) return;
  const figures = Array.from(results.querySelectorAll<HTMLElement>('.match:not([hidden])'));
  const target = focus === 'first' ? figures[0] : (figures.find((f) => Number(f.dataset.rank) >= focus.rank) ?? figures.at(-1));
  target?.querySelector<HTMLAnchorElement>('a.more')?.focus({ preventScroll: focus === 'first' });
  if (focus === 'first') window.scrollTo(0, 0);
}

/** The page's controls show the view (the collection, k, and the precision when the collection offers it). */
function showControls(): void {
  collectionSelect.value = view.collection ?? collections.find((c) => c.isDefault)?.name ?? '';
  kInput.value = String(view.k);
  showPrecisions();
  const precision = view.precision === null ? '' : String(view.precision);
  precisionSelect.value = Array.from(precisionSelect.options).some((o) => o.value === precision) ? precision : '';
  view.precision = precisionSelect.value ? Number(precisionSelect.value) : null;
}

/** Goes to a view: a new history entry (push) or the current one changed (replace), then searches. */
function go(next: View, q: Query | null, how: 'push' | 'replace', opts: Parameters<typeof search>[0] = {}): void {
  const state: EntryState = q?.kind === 'image' ? { image: keyOf(q.file) } : {};
  history[how === 'push' ? 'pushState' : 'replaceState'](state, '', addressOf(next));
  enter(next, q, opts);
}

/** The image's key in `images` (a new one for a new image; the oldest image is let go beyond KEPT_IMAGES). */
function keyOf(file: File): number {
  for (const [key, f] of images) if (f === file) return key;
  images.set(++imageKeys, file);
  if (images.size > KEPT_IMAGES) images.delete(images.keys().next().value!);
  return imageKeys;
}

/** Shows a view: the controls, the query, and its matches (searched for) or none. */
function enter(next: View, q: Query | null, opts: Parameters<typeof search>[0] = {}): void {
  view = next;
  query = q;
  showControls();
  showQuery();
  if (q) {
    void search(opts);
    return;
  }
  generation++; // a search still on its way is for another view
  results.removeAttribute('aria-busy');
  clearResults();
  setStatus('');
  document.body.dataset.state = 'ready';
}

/** The view of the current history entry (on load, and on Back and Forward). */
function restore(): void {
  const next = viewFromSearch(location.search, { k: Number(kInput.defaultValue) });
  const key = (history.state as EntryState | null)?.image;
  const file = key === undefined ? undefined : images.get(key);
  const q: Query | null = next.similarTo !== null ? { kind: 'item', id: next.similarTo, item: null } : file ? { kind: 'image', file } : null;
  enter(next, q);
  if (key !== undefined && !q) setStatus('The image of this search is no longer in memory: pick, drop or paste it again.');
}

/** The view the controls describe, without an item. */
function controlsView(): View {
  return {
    collection: collectionSelect.value || null,
    similarTo: null,
    k: Number(kInput.value) || Number(kInput.defaultValue),
    precision: precisionSelect.value ? Number(precisionSelect.value) : null,
  };
}

function choose(file: File | undefined): void {
  if (!file) return;
  // A first image replaces the empty page's entry; later ones are new entries, so Back returns to the previous list.
  go(controlsView(), { kind: 'image', file }, query ? 'push' : 'replace');
}

function moreLikeThis(id: string): void {
  go({ ...view, similarTo: id }, { kind: 'item', id, item: shown.get(id) ?? null }, 'push', { focus: 'first' });
}

results.addEventListener('click', (e) => {
  const link = (e.target as Element).closest<HTMLAnchorElement>('a.more');
  // A modified click (new tab or window) follows the link itself.
  if (!link || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  moreLikeThis(link.dataset.id!);
});

labelFilter.addEventListener('change', applyLabelFilter);

// A longer list in place of this one (the same history entry); the keyboard goes to the first new match.
moreButton.addEventListener('click', () => {
  if (nextPageK !== null) go({ ...view, k: nextPageK }, query, 'replace', { keepFilter: true, focus: { rank: view.k + 1 } });
});

fileInput.addEventListener('change', () => choose(fileInput.files?.[0]));
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  choose(e.dataTransfer?.files[0]);
});
drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    fileInput.click();
  }
});
// An image pasted anywhere on the page (a screenshot, an image copied in another program or page) is a query.
document.addEventListener('paste', (e) => {
  const files = Array.from(e.clipboardData?.files ?? []);
  if (!files.length) return;
  e.preventDefault();
  const image = files.find((f) => f.type.startsWith('image/'));
  if (image) choose(image);
  else setStatus(`Paste an image: the clipboard holds ${files.map((f) => f.type || f.name).join(', ')}`);
});

/** The precision choices are the selected collection's calibrated ones; none until its metric is fitted. */
function showPrecisions(): void {
  const info = collections.find((c) => c.name === collectionSelect.value);
  const precisions = info?.search.calibratedPrecisions ?? [];
  precisionSelect.replaceChildren(
    precisionSelect.options[0]!, // the page's "all k results"
    ...precisions.map((p) => el('option', { value: String(p), textContent: `likely matches only (≥ ${p})` })),
  );
  precisionSelect.disabled = precisions.length === 0;
}

/** k and the precision change the list in place; the address follows. */
function changeInPlace(): void {
  const { k, precision } = controlsView();
  if (query) go({ ...view, k, precision }, query, 'replace', { keepFilter: true });
  else history.replaceState(history.state, '', addressOf((view = { ...view, k, precision })));
}

kInput.addEventListener('change', changeInPlace);
precisionSelect.addEventListener('change', changeInPlace);
collectionSelect.addEventListener('change', () => {
  showPrecisions();
  const next = controlsView();
  // An item belongs to its collection: another collection starts afresh; an image is searched there.
  if (query?.kind === 'item') go(next, null, 'push');
  else if (query) go(next, query, 'replace');
  else history.replaceState(history.state, '', addressOf((view = next)));
});

async function init(): Promise<void> {
  try {
    const [list, limits] = await Promise.all([client.collections(), client.limits()]);
    collections = list;
    maxK = limits.maxK;
    kInput.max = String(limits.maxK);
    collectionSelect.replaceChildren(
      ...collections.map((c) => el('option', { value: c.name, textContent: `${c.name} (${c.itemCount})`, selected: c.isDefault })),
    );
  } catch (err) {
    const e = err instanceof ImsearchError ? err : new ImsearchError('NETWORK_ERROR', String(err));
    setStatus(`${e.code}: ${e.message}`, e);
    document.body.dataset.state = 'error';
    return;
  }
  window.addEventListener('popstate', restore);
  restore();
}

void init();
