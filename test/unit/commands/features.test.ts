import { describe, expect, it } from 'vitest';
import { augmentFeatures, VERSION_ANNOTATION, UNSAFE_ANNOTATION_PREFIX } from '../../../shim/commands/features.js';

describe('augmentFeatures', () => {
  it.each([
    { name: 'runc 1.1 (no potentiallyUnsafeConfigAnnotations)', input: { ociVersionMax: '1.0.2-dev', annotations: { 'org.opencontainers.runc.version': '1.1.5' } }, unsafe: [UNSAFE_ANNOTATION_PREFIX] },
    { name: 'runc 1.2 (list present)', input: { annotations: {}, potentiallyUnsafeConfigAnnotations: ['bpf.', 'rdt.'] }, unsafe: ['bpf.', 'rdt.', UNSAFE_ANNOTATION_PREFIX] },
    { name: 'already listed', input: { potentiallyUnsafeConfigAnnotations: [UNSAFE_ANNOTATION_PREFIX] }, unsafe: [UNSAFE_ANNOTATION_PREFIX] },
  ])('$name', ({ input, unsafe }) => {
    const out = augmentFeatures(JSON.stringify(input), '1.2.3')!;
    expect(out.potentiallyUnsafeConfigAnnotations).toEqual(unsafe);
    expect((out.annotations as Record<string, string>)[VERSION_ANNOTATION]).toBe('1.2.3');
    for (const [k, v] of Object.entries(input.annotations ?? {})) expect((out.annotations as Record<string, unknown>)[k]).toBe(v);
  });
  it.each(['', 'not json', '[1,2]', '"x"', 'NAME:\n   runc features'])('not a JSON object: %j -> undefined (passed through)', (text) => {
    expect(augmentFeatures(text, '1')).toBeUndefined();
  });
});
