/**
 * Shortlists: the top s candidates of every query from a dense score matrix, best first, ties
 * broken by candidate order (so by gallery order: the evaluation protocol's stable tie rule).
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
  const heapI = new Int32Array(s);
  const heapS = new Float64Array(s);
  // "a worse than b": lower score, or equal score and higher index.
  const worse = (sa: number, ia: number, sb: number, ib: number) => sa < sb || (sa === sb && ia > ib);
  for (let q = 0; q < nq; q++) {
    const row = q * nc;
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
      ids[q * s + t] = heapI[order[t]];
      out[q * s + t] = heapS[order[t]];
    }
  }
  return { queries: nq, s, ids, scores: out };
}
