/**
 * Shortlists: the top s candidates of every query from a dense score matrix, best first, ties
 * broken by candidate order (so by gallery order: the evaluation protocol's stable tie rule).
 *
 * Per query row: a guess g at the s-th largest score is read off a strided sample of the row
 * (a few more than s/stride sample values above it), one pass collects the candidates scoring
 * ≥ g in candidate order, and when there are at least s of them the s-th largest score is ≥ g,
 * so every member of the top s is among them: an insertion sort by score (stable, so equal
 * scores stay in candidate order) of those few gives the top s exactly. A guess that catches
 * fewer than s, and short rows, fall back to every candidate. The same set and order as a heap
 * over the whole row (topSHeap, kept for rows with a NaN, where "the s-th largest" is undefined)
 * at a fraction of its cost: the CV ranks ~1,000 queries × ~5,000 candidates per grid point,
 * and the heap's sifts and comparator sort were most of a fit's non-product time.
 */

/** Top-s candidates per query: local candidate indices and scores, best first (ties: lower index). */
export interface Shortlists {
  queries: number;
  s: number;
  ids: Int32Array;
  scores: Float64Array;
}

/** Top-s of every row of an nq × nc score matrix (ties broken by candidate order). */
export function topS(scores: Float64Array, nq: number, nc: number, s: number): Shortlists {
  s = Math.min(s, nc);
  const ids = new Int32Array(nq * s);
  const out = new Float64Array(nq * s);
  if (s === 0) return { queries: nq, s, ids, scores: out };
  // Sample every `stride`-th candidate (about 8 samples per kept entry); the guess is the sample
  // ranked `rank` from the top: s/stride plus a margin of three standard deviations.
  const stride = Math.max(1, Math.floor(nc / (8 * s)));
  const samples = stride > 1 ? new Float64Array(Math.floor((nc - 1) / stride) + 1) : null;
  const rank = samples ? Math.min(samples.length - 1, Math.ceil(s / stride) + Math.ceil(3 * Math.sqrt(s / stride)) + 1) : 0;
  const candI = new Int32Array(nc);
  const candS = new Float64Array(nc);
  for (let q = 0; q < nq; q++) {
    const o = q * nc;
    let nan = false;
    let guess = -Infinity;
    if (samples) {
      for (let t = 0, j = 0; j < nc; j += stride, t++) {
        const v = scores[o + j];
        if (v !== v) nan = true;
        samples[t] = v;
      }
      if (!nan) guess = selectKth(samples, samples.length, samples.length - 1 - rank);
    }
    let c = nan ? 0 : collect(scores, o, nc, guess, candI, candS);
    if (!nan && c < s && guess !== -Infinity) c = collect(scores, o, nc, -Infinity, candI, candS);
    if (nan || c < s) {
      // NaN somewhere (or in a row too short to sample: checked by the full pass below).
      topSHeapRow(scores, o, nc, s, ids, out, q * s);
      continue;
    }
    sortCandidates(candI, candS, c, s);
    for (let i = 0; i < s; i++) {
      ids[q * s + i] = candI[i];
      out[q * s + i] = candS[i];
    }
  }
  return { queries: nq, s, ids, scores: out };
}

/** Candidates of row o scoring ≥ g, in candidate order; a NaN makes it return 0 (the caller falls back). */
function collect(scores: Float64Array, o: number, nc: number, g: number, candI: Int32Array, candS: Float64Array): number {
  let c = 0;
  for (let j = 0; j < nc; j++) {
    const v = scores[o + j];
    if (v >= g) {
      candI[c] = j;
      candS[c++] = v;
    } else if (v !== v) return 0;
  }
  return c;
}

/**
 * Order the first c candidates (given in candidate order) by score, best first, equal scores in
 * candidate order; only the first s need be right. Insertion sort for the usual handful, a
 * comparator sort for many.
 */
function sortCandidates(candI: Int32Array, candS: Float64Array, c: number, s: number): void {
  if (c > 512) {
    const order = Array.from({ length: c }, (_, i) => i).sort((a, b) => (candS[b] > candS[a] ? 1 : candS[b] < candS[a] ? -1 : a - b));
    const I = Int32Array.from(order, (i) => candI[i]);
    const S = Float64Array.from(order, (i) => candS[i]);
    candI.set(I.subarray(0, s));
    candS.set(S.subarray(0, s));
    return;
  }
  for (let i = 1; i < c; i++) {
    const v = candS[i];
    const id = candI[i];
    let j = i - 1;
    // Strictly greater moves right: equal scores keep their (candidate) order.
    while (j >= 0 && candS[j] < v) {
      candS[j + 1] = candS[j];
      candI[j + 1] = candI[j];
      j--;
    }
    candS[j + 1] = v;
    candI[j + 1] = id;
  }
}

/**
 * The k-th smallest (0-based) of a[0..n): rearranges a. Quickselect with a median-of-three
 * pivot (sorted and reversed rows stay linear).
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three into a[mid].
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // Now a[lo..j] ≤ pivot ≤ a[i..hi], and a[j+1..i−1] = pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** The heap selection (any row, NaN included): one row into ids/out at offset `at`. */
function topSHeapRow(scores: Float64Array, row: number, nc: number, s: number, ids: Int32Array, out: Float64Array, at: number): void {
  const heapI = new Int32Array(s);
  const heapS = new Float64Array(s);
  // "a worse than b": lower score, or equal score and higher index.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  let size = 0;
  for (let j = 0; j < nc; j++) {
    const v = scores[row + j];
    if (size < s) {
      // sift up (min-heap on "worse")
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(v, j, heapS[parent], heapI[parent])) break;
        heapS[i] = heapS[parent];
        heapI[i] = heapI[parent];
        i = parent;
      }
      heapS[i] = v;
      heapI[i] = j;
    } else if (worse(heapS[0], heapI[0], v, j)) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && worse(heapS[r], heapI[r], heapS[l], heapI[l]) ? r : l;
        if (!worse(heapS[c], heapI[c], v, j)) break;
        heapS[i] = heapS[c];
        heapI[i] = heapI[c];
        i = c;
      }
      heapS[i] = v;
      heapI[i] = j;
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => (worse(heapS[a], heapI[a], heapS[b], heapI[b]) ? 1 : worse(heapS[b], heapI[b], heapS[a], heapI[a]) ? -1 : 0));
  for (let t = 0; t < size; t++) {
    ids[at + t] = heapI[order[t]];
    out[at + t] = heapS[order[t]];
  }
}

/** The heap selection over every row: the reference topS is checked against (same result on NaN-free rows). */
export function topSHeap(scores: Float64Array, nq: number, nc: number, s: number): Shortlists {
  s = Math.min(s, nc);
  const ids = new Int32Array(nq * s);
  const out = new Float64Array(nq * s);
  for (let q = 0; q < nq; q++) topSHeapRow(scores, q * nc, nc, s, ids, out, q * s);
  return { queries: nq, s, ids, scores: out };
}
