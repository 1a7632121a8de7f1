/**
 * docs/workloads.md is rendered from the matrix's expectation data (workloads/matrix.ts), never
 * kept by hand: this fails when the committed file differs. `bash scripts/gen-workload-doc.sh`
 * rewrites it (it runs this file with OPENCLAW_WRITE_DOCS=1).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/daemons.js';
import { ADMIN_BINDS, JOBS, SHIPPED, WIDENED, renderWorkloadDoc } from './workloads/matrix.js';

const DOC = join(REPO, 'docs', 'workloads.md');

describe('docs/workloads.md', () => {
  it('every shipped profile has an expectation for every job, and nothing else', () => {
    for (const p of SHIPPED) expect(Object.keys(p.cells).sort(), p.profile).toEqual(JOBS.map((j) => j.name).sort());
    for (const w of WIDENED) for (const job of Object.keys(w.cells)) expect(JOBS.map((j) => j.name)).toContain(job);
    for (const a of ADMIN_BINDS) for (const job of Object.keys(a.cells)) expect(JOBS.map((j) => j.name)).toContain(job);
  });

  it('matches the expectation data (run scripts/gen-workload-doc.sh after changing test/e2e/workloads/matrix.ts)', () => {
    const want = renderWorkloadDoc();
    if (process.env.OPENCLAW_WRITE_DOCS === '1') writeFileSync(DOC, want);
    expect(readFileSync(DOC, 'utf8')).toBe(want);
  });
});
