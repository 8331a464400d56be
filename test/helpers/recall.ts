/**
 * Pooled recall of approximate result lists against exact ones (found true neighbours over all
 * true neighbours), shared by the index tests and the index benchmarks. metric/'s recallAtK
 * averages per query instead (the evaluation protocol's number).
 */
export function pooledRecall(got: readonly (readonly number[])[], exact: readonly (readonly number[])[]): number {
  let hit = 0;
  let total = 0;
  got.forEach((ids, q) => {
    const truth = new Set(exact[q]);
    hit += ids.filter((id) => truth.has(id)).length;
    total += truth.size;
  });
  return hit / total;
}

/** The ids of search hits, per query. */
export const hitIds = (hits: readonly (readonly { id: number }[])[]): number[][] => hits.map((h) => h.map((x) => x.id));
