/**
 * Behaviour lock for the cross-validated selection: test/fixtures/cv-snapshot.json was written by
 * the code BEFORE the metric/ refactor (commit b5a06a3's crossValidateMetric, same call, same
 * data) and must be reproduced exactly: chosen params and re-ranking, every CV score to the last
 * bit, the thresholds and the calibration pairs (hashed), the final artifact's hash.
 *
 * Re-recorded once since, for a deliberate grid change (issue 13, "Fit time"): stage 2 tries
 * XQDA's capped subspaces only at the regularisation that suits KISSME best, so 28 XQDA rows left
 * the table (67 → 39 rows); every other value, chosen params to artifact hash, was unchanged.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { crossValidateMetric } from '../../metric/index.js';
import { cvSnapshot } from '../helpers/cv-snapshot.js';
import { labelledClusters } from '../helpers/labelled-clusters.js';
import { repoRoot } from '../helpers/paths.js';

describe('cross-validation snapshot (values computed by the pre-refactor code)', () => {
  it('the same call on the seeded 10-class gallery gives the recorded result, bit for bit', () => {
    const g = labelledClusters();
    const expected = fs.readFileSync(path.join(repoRoot, 'test/fixtures/cv-snapshot.json'), 'utf8');
    const got = cvSnapshot(crossValidateMetric(g.X, g.d, g.labels, { sourceHash: 'snapshot' }));
    assert.deepEqual(JSON.parse(got), JSON.parse(expected));
  });
});
