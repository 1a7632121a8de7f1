import { describe, expect, it } from 'vitest';
import { mergeSpec, MODIFIER_FACTORIES } from '../../../shim/merge/index.js';
import type { Modifier } from '../../../shim/merge/types.js';
import { OpenclawError } from '../../../shim/errors.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';

const modifier = (name: string, apply: Modifier['apply']) => () => ({ name, apply });

describe('mergeSpec: every step by its modifier\'s name', () => {
  it('every modifier has a name of its own', () => {
    const names = MODIFIER_FACTORIES.map((make) => make(mergeInputs({})).name);
    expect(names.every((n) => /^[a-z][a-z0-9-]*$/.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  it('a modifier\'s unexpected failure is rethrown naming it, with the original as cause and its frames', () => {
    const bug = new TypeError('x is undefined');
    const factories = [modifier('first', () => {}), modifier('broken', () => { throw bug; })];
    let caught: unknown;
    try {
      mergeSpec({}, mergeInputs({}), factories);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(OpenclawError); // still an internal error (exit 2, stack printed)
    expect((caught as Error).message).toBe('merge step "broken": x is undefined');
    expect((caught as Error).cause).toBe(bug);
    expect((caught as Error).stack!.split('\n').slice(1)).toEqual(bug.stack!.split('\n').slice(1));
  });

  it('a refusal passes unchanged', () => {
    const refusal = new OpenclawError('merge', 'no', { field: 'spec.x' });
    expect(() => mergeSpec({}, mergeInputs({}), [modifier('refusing', () => { throw refusal; })])).toThrow(refusal);
  });

  it('the input spec is never changed', () => {
    const spec = { process: { args: ['sh'] } };
    const out = mergeSpec(spec, mergeInputs({}), [modifier('writes', (s) => { s.spec.process!.args = ['changed']; })]);
    expect(spec.process.args).toEqual(['sh']);
    expect(out.spec.process!.args).toEqual(['changed']);
  });
});
