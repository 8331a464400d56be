/**
 * The results page (served at /): pick or drop an image, see the top matches as a grid of
 * thumbnails with scores and labels, each with its explanation folded underneath (a native
 * details element: reachable with Tab, opened with Enter or Space), and the predicted class above.
 * Runs in the browser on the SDK (served as ES modules).
 */
import { type CollectionFieldsFragment, ImsearchClient, ImsearchError, type SearchResult } from '../../sdk/index.js';

const client = new ImsearchClient({ endpoint: '/graphql' });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const drop = $<HTMLLabelElement>('drop');
const fileInput = $<HTMLInputElement>('file');
const preview = $<HTMLImageElement>('preview');
const hint = $<HTMLSpanElement>('drop-hint');
const kInput = $<HTMLInputElement>('k');
const collectionSelect = $<HTMLSelectElement>('collection');
const precisionSelect = $<HTMLSelectElement>('precision');
const status = $<HTMLParagraphElement>('status');
const results = $<HTMLElement>('results');
const predictionLine = $<HTMLParagraphElement>('prediction');

let current: File | null = null;
let previewUrl: string | null = null;
let generation = 0;
let collections: CollectionFieldsFragment[] = [];

function setStatus(text: string, error?: ImsearchError): void {
  status.textContent = text;
  status.classList.toggle('error', !!error);
  if (error) status.dataset.code = error.code;
  else delete status.dataset.code;
}

type Match = SearchResult['matches'][number];
type Prediction = NonNullable<SearchResult['prediction']>;

const percent = (x: number) => `${(100 * x).toFixed(0)}\u00a0%`;

function row(name: string, value: string): HTMLElement[] {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  return [dt, dd];
}

function explanationOf(m: Match): HTMLDetailsElement | null {
  const e = m.explanation;
  if (!e) return null;
  const details = document.createElement('details');
  details.className = 'explanation';
  const summary = document.createElement('summary');
  summary.textContent = 'Why this result';
  const list = document.createElement('dl');
  list.append(
    ...e.models.flatMap((x) => row(`cosine, ${x.model}`, x.cosine.toFixed(3))),
    ...row(e.scoreKind === 'METRIC' ? 'learned-metric score' : 'cosine score', e.score.toFixed(3)),
    ...row('probability of the same class', e.probability === null ? 'not calibrated' : percent(e.probability)),
    ...row(`share of ${m.item.label ?? 'its class'} in the vote`, percent(e.classShare)),
  );
  details.append(summary, list);
  return details;
}

function describePrediction(p: Prediction | null | undefined): string {
  if (!p) return '';
  const part = (label: string, share: number, probability: number | null) =>
    `${label} (${percent(share)} of the vote${probability === null ? '' : `, probability ${percent(probability)}`})`;
  return `Looks like: ${part(p.label, p.share, p.probability)}` + (p.runnerUp ? `; runner-up ${part(p.runnerUp.label, p.runnerUp.share, p.runnerUp.probability)}` : '');
}

function render(result: SearchResult): void {
  predictionLine.textContent = describePrediction(result.prediction);
  results.replaceChildren(
    ...result.matches.map((m) => {
      const figure = document.createElement('figure');
      figure.className = 'match';
      figure.dataset.rank = String(m.rank);
      figure.dataset.label = m.item.label ?? '';
      figure.dataset.score = String(m.score);
      figure.dataset.id = m.item.id;
      const link = document.createElement('a');
      link.href = m.item.url;
      link.target = '_blank';
      link.rel = 'noopener';
      const img = document.createElement('img');
      img.src = m.item.thumbnailUrl;
      img.alt = `${m.item.label ?? 'unlabelled'}: ${m.item.sourceName}`;
      img.loading = 'lazy';
      link.append(img);
      const caption = document.createElement('figcaption');
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = `${m.rank}. ${m.item.label ?? '—'}`;
      label.title = m.item.sourceName;
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = m.score.toFixed(3);
      caption.append(label, score);
      figure.append(link, caption);
      const why = explanationOf(m);
      if (why) figure.append(why);
      return figure;
    }),
  );
}

async function search(): Promise<void> {
  if (!current) return;
  const mine = ++generation;
  const k = Number(kInput.value) || 10;
  const minPrecision = precisionSelect.value ? Number(precisionSelect.value) : undefined;
  setStatus(`Searching ${collectionSelect.value || 'the default collection'}…`);
  results.setAttribute('aria-busy', 'true');
  try {
    const result = await client.similarImages(current, { k, collection: collectionSelect.value || undefined, minPrecision, explain: true });
    if (mine !== generation) return;
    render(result);
    const t = client.lastTiming;
    const timing = t ? ` in ${t.totalMs.toFixed(0)} ms (decode + embed ${t.embedMs?.toFixed(0) ?? '?'} ms, search ${t.searchMs?.toFixed(1) ?? '?'} ms)` : '';
    const cut = minPrecision === undefined ? '' : ` (of up to ${k} at precision ≥ ${minPrecision})`;
    setStatus(`${result.matches.length} matches${cut} in ${result.collection}${timing}`);
    document.body.dataset.state = 'done';
  } catch (err) {
    if (mine !== generation) return;
    results.replaceChildren();
    predictionLine.textContent = '';
    const e = err instanceof ImsearchError ? err : new ImsearchError('NETWORK_ERROR', String(err));
    setStatus(`${e.code}: ${e.message}`, e);
    document.body.dataset.state = 'error';
  } finally {
    if (mine === generation) results.removeAttribute('aria-busy');
  }
}

function choose(file: File | undefined): void {
  if (!file) return;
  current = file;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  preview.src = previewUrl;
  preview.alt = file.name;
  preview.hidden = false;
  hint.hidden = true;
  void search();
}

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
/** The precision choices are the selected collection's calibrated ones; none until its metric is fitted. */
function showPrecisions(): void {
  const info = collections.find((c) => c.name === collectionSelect.value);
  const precisions = info?.search.calibratedPrecisions ?? [];
  precisionSelect.replaceChildren(
    precisionSelect.options[0]!, // the page's "all k results"
    ...precisions.map((p) => {
      const o = document.createElement('option');
      o.value = String(p);
      o.textContent = `likely matches only (≥ ${p})`;
      return o;
    }),
  );
  precisionSelect.disabled = precisions.length === 0;
}

kInput.addEventListener('change', () => void search());
collectionSelect.addEventListener('change', () => {
  showPrecisions();
  void search();
});
precisionSelect.addEventListener('change', () => void search());

async function init(): Promise<void> {
  try {
    const [list, limits] = await Promise.all([client.collections(), client.limits()]);
    collections = list;
    kInput.max = String(limits.maxK);
    collectionSelect.replaceChildren(
      ...collections.map((c) => {
        const o = document.createElement('option');
        o.value = c.name;
        o.textContent = `${c.name} (${c.itemCount})`;
        o.selected = c.isDefault;
        return o;
      }),
    );
    showPrecisions();
    document.body.dataset.state = 'ready';
  } catch (err) {
    const e = err instanceof ImsearchError ? err : new ImsearchError('NETWORK_ERROR', String(err));
    setStatus(`${e.code}: ${e.message}`, e);
    document.body.dataset.state = 'error';
  }
}

void init();
