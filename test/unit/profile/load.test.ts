import { describe, expect, it } from 'vitest';
import { parseProfileText, MAX_PROFILE_BYTES } from '../../../shim/profile/load.js';
import { parseQuantity } from '../../../shim/profile/schema.js';

const HEAD = 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nmetadata:\n  name: t\n';
const load = (text: string) => parseProfileText(Buffer.from(text), '/p/t.yaml');
function errorOf(text: string): any {
  try {
    load(text);
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('profile loading', () => {
  it('reads the seed shape with cgroups and syscallFilter under isolation', () => {
    const p = load(HEAD + 'spec:\n  isolation:\n    cgroups:\n      memory: 512Mi\n      pids:\n        max: 32\n').profile;
    expect(p.spec.isolation.cgroups?.memory).toBe(512n * 1024n * 1024n);
    expect(p.spec.isolation.cgroups?.pids?.max).toBe(32);
  });
  it('accepts cgroups directly under spec too (the seed text allows both readings)', () => {
    const p = load(HEAD + 'spec:\n  cgroups:\n    memory: 1Gi\n').profile;
    expect(p.spec.isolation.cgroups?.memory).toBe(1024n ** 3n);
  });
  it('the hash changes with the content', () => {
    expect(load(HEAD + 'spec: {}\n').sha256).not.toBe(load(HEAD + 'spec: {}\n# x\n').sha256);
  });

  const bad: Array<{ name: string; text: string; field?: string; msg: RegExp }> = [
    { name: 'misspelt key', text: HEAD + 'spec:\n  filesystem:\n    readOnlyRootfs: true\n', field: 'spec.filesystem.readOnlyRootfs', msg: /unknown key "readOnlyRootfs" \(line 7\)/ },
    { name: 'wrong type', text: HEAD + 'spec:\n  isolation:\n    cgroups:\n      pids:\n        max: lots\n', field: 'spec.isolation.cgroups.pids.max', msg: /expected number/ },
    { name: 'bad quantity', text: HEAD + 'spec:\n  isolation:\n    cgroups:\n      memory: 12 parsecs\n', field: 'spec.isolation.cgroups.memory', msg: /not a byte quantity/ },
    { name: 'bad namespace mode', text: HEAD + 'spec:\n  isolation:\n    namespaces:\n      network: host\n', field: 'spec.isolation.namespaces.network', msg: /isolated/ },
    { name: 'wrong apiVersion', text: 'apiVersion: v1\nkind: SandboxProfile\nmetadata: { name: t }\nspec: {}\n', field: 'apiVersion', msg: /security.openclaw.org\/v1alpha1/ },
    { name: 'missing metadata', text: 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nspec: {}\n', field: 'metadata', msg: /is required/ },
    { name: 'both cgroups places', text: HEAD + 'spec:\n  cgroups: { memory: 1Gi }\n  isolation:\n    cgroups: { memory: 2Gi }\n', field: 'spec.cgroups', msg: /keep one/ },
    { name: 'relative bind source', text: HEAD + 'spec:\n  filesystem:\n    allowedBindMounts:\n      - { source: data, destination: /data }\n', field: 'spec.filesystem.allowedBindMounts[0].source', msg: /absolute path/ },
    { name: 'bad capability name', text: HEAD + 'spec:\n  process:\n    capabilities: [NET_ADMIN]\n', field: 'spec.process.capabilities[0]', msg: /CAP_/ },
    { name: 'malformed YAML', text: HEAD + 'spec:\n  isolation: [\n', msg: /invalid YAML at line/ },
    { name: 'duplicate key', text: HEAD + 'spec:\n  filesystem: {}\n  filesystem: {}\n', msg: /invalid YAML/ },
  ];
  it.each(bad)('$name: error names file, field and fix', ({ text, field, msg }) => {
    const e = errorOf(text);
    expect(e.file).toBe('/p/t.yaml');
    if (field) expect(e.field).toBe(field);
    expect(e.message).toMatch(msg);
    expect(e.fix).toBeTruthy();
  });

  it('refuses a huge profile before parsing it', () => {
    expect(errorOf(HEAD + '#'.repeat(MAX_PROFILE_BYTES)).message).toMatch(/more than/);
  });
});

describe('parseQuantity', () => {
  it.each([
    ['512Mi', 512n * 1024n ** 2n],
    ['1Gi', 1024n ** 3n],
    ['1.5Gi', 1536n * 1024n ** 2n],
    ['100M', 100_000_000n],
    ['4096', 4096n],
    [4096, 4096n],
    ['1Ei', 1024n ** 6n],
  ] as const)('%s', (q, bytes) => expect(parseQuantity(q)).toBe(bytes));
  it.each(['', 'Mi', '1 Gi', '-1', '1GB', 1.5])('%s is not a quantity', (q) => expect(parseQuantity(q as never)).toBeUndefined());
});
