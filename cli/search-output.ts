/** How `imsearch search` prints its results: one table row per match, with the explanation columns under --explain. */
import type { Match, SearchAnswer } from '../service/collection-searcher.js';
import type { Prediction } from '../service/explain.js';

const fixed = (x: number | null, digits = 4): number | null => (x === null ? null : Number(x.toFixed(digits)));

export function matchRow(m: Match): Record<string, unknown> {
  const row: Record<string, unknown> = { id: m.item.id, label: m.item.label, score: fixed(m.score) };
  const e = m.explanation;
  if (e) {
    for (const c of e.models) row[`cos ${c.model}`] = fixed(c.cosine);
    row['p(same class)'] = fixed(e.probability, 3);
    row['class share'] = fixed(e.classShare, 3);
  }
  row.file = m.item.source;
  return row;
}

/** One line naming the predicted class, its share (and probability) and the runner-up. */
export function predictionLine(p: Prediction | null): string {
  if (!p) return 'predicted class: none (no labelled neighbour voted)';
  const part = (label: string, share: number, probability: number | null) =>
    `${label} (share ${share.toFixed(3)}${probability === null ? '' : `, p ${probability.toFixed(3)}`})`;
  const runnerUp = p.runnerUp ? part(p.runnerUp.label, p.runnerUp.share, p.runnerUp.probability) : 'none';
  return `predicted class: ${part(p.label, p.share, p.probability)}; runner-up: ${runnerUp}; ${p.voters} ${p.weighted ? 'score-weighted' : 'equal'} votes`;
}

export function printSearch(answer: SearchAnswer, json: boolean): void {
  if (json) {
    const matches = answer.matches.map((m) => ({ id: m.item.id, label: m.item.label, score: m.score, source: m.item.source, ...(m.explanation ? { explanation: m.explanation } : {}) }));
    console.log(JSON.stringify(answer.prediction === undefined ? matches : { matches, prediction: answer.prediction }));
    return;
  }
  console.table(answer.matches.map(matchRow));
  if (answer.prediction !== undefined) console.log(predictionLine(answer.prediction));
}
