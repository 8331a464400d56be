/**
 * Issue 13: the classification head with the augmented views as extra training rows
 * (head.ts withViewRows, head-fit.ts withTrainedHead, cv-head-search.ts's headViews).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainScaledHead, withViewRows } from '../../metric/head.js';
import { crossValidateMetric, defaultGrid, fitMetric, indexLabels, inputScaleOf, Metric, parseArtifact, resolveParams, serializeArtifact, withExtensions, withTrainedHead } from '../../metric/index.js';
import { unfamiliarFolds } from '../../metric/cv-calibration.js';
import { makeFolds, rowsOf } from '../../metric/cv-folds.js';
import { searchMetricParams } from '../../metric/cv-metric-search.js';
import { Rng } from '../../metric/random.js';
import { labelledClusters, shuffledRows, type LabelledClusters } from '../helpers/labelled-clusters.js';

/** Two "views" of every row: the row with seeded noise added (what a mirror or a re-framing does to an embedding). */
function viewsOf(g: LabelledClusters, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return [0, 1].map(() => Float32Array.from(g.X, (v) => v + 0.2 * rng.normal()));
}

/** Rows of every matrix moved as shuffledRows moved the gallery's (matched through the ids). */
function moved(g: LabelledClusters, to: LabelledClusters, m: Float32Array): Float32Array {
  const at = new Map(g.ids.map((id, i) => [id, i]));
  const out = new Float32Array(m.length);
  to.ids.forEach((id, i) => out.set(m.subarray(at.get(id)! * g.d, (at.get(id)! + 1) * g.d), i * g.d));
  return out;
}

describe('head with augmented views as extra rows', () => {
  it('withViewRows appends each view after the rows and repeats the classes, by hand', () => {
    const out = withViewRows(Float32Array.from([1, 2, 3, 4]), Int32Array.from([0, -1]), [Float32Array.from([5, 6, 7, 8]), Float32Array.from([9, 10, 11, 12])]);
    assert.deepEqual(Array.from(out.T), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual(Array.from(out.classOf), [0, -1, 0, -1, 0, -1]);
    assert.throws(() => withViewRows(Float32Array.from([1, 2]), Int32Array.from([0]), [Float32Array.from([1])]), /a view has 1 values, the rows 2/);
  });

  it('withTrainedHead trains on the mapped rows then every mapped view (and on the rows alone without views); the choice is stored', () => {
    const g = labelledClusters();
    const views = viewsOf(g, 5);
    const classes = indexLabels(g.labels, g.labels.length);
    const base = fitMetric(g.X, g.d, g.labels, { method: 'kissme', pcaDim: 8 });
    const m = new Metric(base);
    const expected = trainScaledHead(
      Float32Array.from([...m.transform(g.X), ...m.transform(views[0]), ...m.transform(views[1])]),
      base.outputDim,
      Int32Array.from([...classes.classOf, ...classes.classOf, ...classes.classOf]),
      classes.names.length,
      { l2: 1e-3, maxIterations: 30 },
    );
    const withViews = withTrainedHead(base, g.X, views, classes, { l2: 1e-3, weight: 2, views: true }, 30);
    assert.deepEqual(withViews.head?.W, Float32Array.from(expected.model.W));
    assert.equal(withViews.head?.featureScale, expected.featureScale);
    assert.deepEqual({ weight: withViews.head?.weight, l2: withViews.head?.l2, views: withViews.head?.views }, { weight: 2, l2: 1e-3, views: true });
    const pooled = withTrainedHead(base, g.X, views, classes, { l2: 1e-3, weight: 2, views: false }, 30);
    const alone = trainScaledHead(m.transform(g.X), base.outputDim, classes.classOf, classes.names.length, { l2: 1e-3, maxIterations: 30 });
    assert.deepEqual(pooled.head?.W, Float32Array.from(alone.model.W));
    assert.notDeepEqual(pooled.head?.W, withViews.head?.W);
    // Stored: the flag round-trips, and a head without views serialises without the key (older artifacts keep their bytes).
    assert.equal(parseArtifact(serializeArtifact(withViews)).head?.views, true);
    assert.ok(!('views' in JSON.parse(serializeArtifact(pooled)).head));
    assert.equal(parseArtifact(serializeArtifact(pooled)).head?.views, false);
  });

  it('the CV tries every head with and without the views, and the rows follow the ids like the gallery', () => {
    const g = labelledClusters();
    const views = viewsOf(g, 5);
    const opts = { fitFinal: false, ids: g.ids, grid: { headL2s: [1e-3], headWeights: [1] } };
    const a = crossValidateMetric(g.X, g.d, g.labels, { ...opts, views });
    const heads = a.headTable.slice(1).map((r) => r.head?.views);
    assert.equal(heads.filter((v) => v === true).length, heads.filter((v) => v === false).length);
    assert.ok(heads.length > 0);
    // The pooled-only rows are the rows without views given.
    const noViews = crossValidateMetric(g.X, g.d, g.labels, opts);
    assert.deepEqual(a.headTable.filter((r) => !r.head?.views), noViews.headTable);
    // The views' rows move with the gallery's: another row order, the same table.
    const s = shuffledRows(g, 3);
    const b = crossValidateMetric(s.X, s.d, s.labels, { ...opts, ids: s.ids, views: views.map((v) => moved(g, s, v)) });
    assert.deepEqual(b.headTable, a.headTable);
    // Views left in the old order no longer match their rows, and the table says so.
    const c = crossValidateMetric(s.X, s.d, s.labels, { ...opts, ids: s.ids, views });
    assert.notDeepEqual(c.headTable, a.headTable);
    // A mismatched view is refused; one view is the pooled row itself, so no view rows are tried.
    assert.throws(() => crossValidateMetric(g.X, g.d, g.labels, { ...opts, views: [views[0].subarray(g.d)] }), /a view has \d+ values, the gallery \d+/);
    const one = crossValidateMetric(g.X, g.d, g.labels, { ...opts, views: [views[0]], grid: { ...opts.grid, headViews: [true] } });
    assert.ok(one.headTable.length > 1 && one.headTable.every((r) => r.head?.views !== true));
    assert.deepEqual(one.headTable, noViews.headTable.filter((r) => !r.head?.views));
  });

  it("each fold's map takes input rows to the rows the fold scored (raw and normalised learned maps, and the identity)", () => {
    const g = labelledClusters();
    const classes = indexLabels(g.labels, g.labels.length);
    const folds = makeFolds(g.X, g.d, classes, { folds: 2, holdout: 0.2, seed: 3, maxPcaDim: 8, scatter: null });
    const sample = { n: g.labels.length, d: g.d, labelled: classes.labelled, classes: classes.names.length };
    const base = { X: g.X, dim: g.d, folds, names: classes.names, sample, k: 10, shortlist: 20, selectBy: 'map' as const };
    for (const grid of [{ methods: ['kissme' as const], normalize: [false] }, { methods: ['jointBayesian' as const], normalize: [true] }, { methods: ['identity' as const] }]) {
      const { chosen } = searchMetricParams({ ...base, grid: { ...defaultGrid({ ...sample, medianClassSize: 20, shortlist: 20 }), pcaDims: [8], ...grid } });
      chosen.spaces.forEach((sp, f) => {
        for (const [rows, T] of [[folds[f].split.train, sp.Tc], [folds[f].split.heldOut, sp.Tq]] as const) {
          const mapped = sp.map(rowsOf(g.X, g.d, rows));
          assert.equal(mapped.length, T.length);
          assert.ok(mapped.every((v, i) => Math.abs(v - T[i]) <= 1e-5 * (1 + Math.abs(T[i]))), `${grid.methods[0]} fold ${f}`);
        }
      });
    }
  });

  it("a stranger fold's map takes its fitted rows to the rows its head trains on", () => {
    const g = labelledClusters();
    const classes = indexLabels(g.labels, g.labels.length);
    const folds = makeFolds(g.X, g.d, classes, { folds: 1, holdout: 0.2, seed: 3, maxPcaDim: 8, scatter: null });
    const params = resolveParams({ method: 'kissme', pcaDim: 8 }, { n: g.labels.length, d: g.d, labelled: classes.labelled, classes: classes.names.length });
    const [u] = unfamiliarFolds(g.X, g.d, classes, folds, params, { share: 0.3, seed: 3, s: 20 });
    assert.ok(u.train.length > 0 && u.train.length < folds[0].split.train.length);
    assert.deepEqual(u.map(rowsOf(g.X, g.d, u.train)), u.Tc);
    assert.deepEqual(Array.from(u.train, (r) => classes.classOf[r]), Array.from(u.galleryClass));
  });

  it('views equal to the rows train the same head as the rows alone, with block weights in the metric (weighted once)', () => {
    const g = labelledClusters();
    const classes = indexLabels(g.labels, g.labels.length);
    const blockWeights = { dims: [g.d - 4, 4], weights: [0.5, 1] };
    const scale = inputScaleOf(blockWeights)!;
    const base = withExtensions(fitMetric(Float32Array.from(g.X, (v, i) => v * scale[i % g.d]), g.d, g.labels, { method: 'kissme', pcaDim: 8 }), { blockWeights, head: null });
    const choice = { l2: 1e-3, weight: 1 };
    const pooled = withTrainedHead(base, g.X, [g.X, g.X], classes, { ...choice, views: false }, 40).head!;
    const tripled = withTrainedHead(base, g.X, [g.X, g.X], classes, { ...choice, views: true }, 40).head!;
    // The loss is a mean over rows: three copies of every row have the same optimum.
    const gap = Math.max(...tripled.W.map((w, i) => Math.abs(w - pooled.W[i])));
    assert.ok(gap < 1e-3 * Math.max(...pooled.W.map(Math.abs)), `W differs by ${gap}`);
    // Views weighted a second time would be other rows: a clearly different head.
    const twice = withTrainedHead(base, g.X, [g.X, g.X].map((v) => Float32Array.from(v, (x, i) => x * scale[i % g.d])), classes, { ...choice, views: true }, 40).head!;
    assert.ok(Math.max(...twice.W.map((w, i) => Math.abs(w - pooled.W[i]))) > 100 * gap);
  });
});
