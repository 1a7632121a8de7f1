import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CdiSpecSchema, type CdiSpec } from '../../../shim/cdi/schema.js';
import { parseQualifiedName, resolveCdiDevices, type CdiRequest, type LoadedCdiSpec } from '../../../shim/cdi/resolve.js';
import { annotationDeviceAllowed, collectCdiRequests } from '../../../shim/cdi/requests.js';
import { loadedProfile } from '../../helpers/merge-inputs.js';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'cdi', 'nvidia.yaml');
const nvidia = (): CdiSpec => CdiSpecSchema.parse(parse(readFileSync(FIXTURE, 'utf8')));
const loaded = (spec: CdiSpec, file = '/etc/cdi/nvidia.yaml', priority = 0): LoadedCdiSpec => ({ file, priority, spec });
const req = (name: string): CdiRequest => ({ name, file: '/p.yaml', field: 'spec.devices.cdi[0]', fix: 'x' });

describe('CDI spec schema', () => {
  it('reads the nvidia-ctk shape', () => {
    const s = nvidia();
    expect(s.kind).toBe('nvidia.com/gpu');
    expect(s.devices.map((d) => d.name)).toEqual(['0', '1', 'all']);
  });
  it.each([
    [{ cdiVersion: '0.5.0', kind: 'nvidia.com/gpu', devices: [{ name: 'a', containerEdits: {}, extra: 1 }] }, 'devices.0'],
    [{ cdiVersion: '9.9.9', kind: 'nvidia.com/gpu', devices: [{ name: 'a', containerEdits: {} }] }, 'cdiVersion'],
    [{ cdiVersion: '0.5.0', kind: 'gpu', devices: [{ name: 'a', containerEdits: {} }] }, 'kind'],
    [{ cdiVersion: '0.5.0', kind: 'x.com/gpu', devices: [] }, 'devices'],
    [{ cdiVersion: '0.5.0', kind: 'x.com/gpu', devices: [{ name: '-a', containerEdits: {} }] }, 'devices.0.name'],
    [{ cdiVersion: '0.5.0', kind: 'x.com/gpu', devices: [{ name: 'a', containerEdits: { hooks: [{ hookName: 'bogus', path: '/x' }] } }] }, 'devices.0.containerEdits.hooks.0.hookName'],
    [{ cdiVersion: '0.5.0', kind: 'x.com/gpu', devices: [{ name: 'a', containerEdits: { mounts: [{ hostPath: 'rel', containerPath: '/x' }] } }] }, 'devices.0.containerEdits.mounts.0.hostPath'],
  ])('refuses %j at %s', (raw, path) => {
    const r = CdiSpecSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join('.')).toBe(path);
  });
});

describe('qualified names', () => {
  it.each([
    ['nvidia.com/gpu=0', { kind: 'nvidia.com/gpu', device: '0' }],
    ['vendor.example/fpga.x=card-1', { kind: 'vendor.example/fpga.x', device: 'card-1' }],
    ['nvidia.com/gpu=MIG-1:0', { kind: 'nvidia.com/gpu', device: 'MIG-1:0' }],
    ['nvidia.com/gpu', undefined],
    ['gpu=0', undefined],
    ['nvidia.com/gpu/x=0', undefined],
    ['nvidia.com/gpu=', undefined],
  ])('%s', (name, want) => expect(parseQualifiedName(name)).toEqual(want));
});

describe('resolveCdiDevices', () => {
  it('applies the spec-level edits once, before the first device of that spec', () => {
    const blocks = resolveCdiDevices([req('nvidia.com/gpu=1'), req('nvidia.com/gpu=0')], [loaded(nvidia())]);
    expect(blocks.map((b) => b.field)).toEqual(['containerEdits', 'devices[1].containerEdits', 'devices[0].containerEdits']);
  });
  it('a device asked for twice is applied once', () => {
    expect(resolveCdiDevices([req('nvidia.com/gpu=0'), req('nvidia.com/gpu=0')], [loaded(nvidia())])).toHaveLength(2);
  });
  it('no requests read nothing', () => expect(resolveCdiDevices([], [])).toEqual([]));
  it('a later spec directory wins over an earlier one', () => {
    const other = nvidia();
    other.devices[0]!.containerEdits = { env: ['FROM=run'] };
    const blocks = resolveCdiDevices([req('nvidia.com/gpu=0')], [loaded(nvidia()), loaded(other, '/var/run/cdi/nvidia.yaml', 1)]);
    expect(blocks[1]).toMatchObject({ file: '/var/run/cdi/nvidia.yaml', edits: { env: ['FROM=run'] } });
  });
  it.each([
    ['an unknown device names the known ones', [req('nvidia.com/gpu=7')], [loaded(nvidia())], /nvidia.com\/gpu=7 is not defined.*use one of nvidia.com\/gpu=0, nvidia.com\/gpu=1, nvidia.com\/gpu=all/s, '/p.yaml'],
    ['a kind with no spec says how to generate one', [req('nvidia.com/gpu=0')], [], /no CDI spec files found.*nvidia-ctk cdi generate/s, '/p.yaml'],
    ['a malformed name', [req('gpu0')], [loaded(nvidia())], /not a CDI device name.*vendor.com\/class=name/s, '/p.yaml'],
    ['a conflict at the same priority', [req('nvidia.com/gpu=0')], [loaded(nvidia()), loaded(nvidia(), '/etc/cdi/again.yaml')], /defined twice/, '/etc/cdi/nvidia.yaml'],
  ])('%s', (_n, requests, specs, msg, file) => {
    let err: any;
    try {
      resolveCdiDevices(requests, specs);
    } catch (e) {
      err = e;
    }
    expect(err?.message).toMatch(msg);
    expect(err.file).toBe(file);
  });
});

describe('collectCdiRequests', () => {
  const base = { profileFile: '/p.yaml', specFile: '/b/config.json', configFile: '/etc/openclaw/config.toml', annotationDevices: [] as string[], annotations: undefined, nvidiaKindInstalled: true };
  it.each([
    ['profile cdi list', { cdi: ['nvidia.com/gpu=1'] }, {}, true, ['nvidia.com/gpu=1']],
    ['gpus: all maps to the nvidia kind', { gpus: 'all' }, {}, true, ['nvidia.com/gpu=all']],
    ['gpus: [0, 1] maps to indices', { gpus: [0, 1] }, {}, true, ['nvidia.com/gpu=0', 'nvidia.com/gpu=1']],
    ['gpus without an nvidia spec stays with bare nodes', { gpus: 'all' }, {}, false, []],
    ['gpus: none asks for nothing', { gpus: 'none' }, {}, true, []],
  ])('%s', (_n, devices, _a, installed, want) => {
    const reqs = collectCdiRequests({ ...base, profile: loadedProfile({ devices }).profile, nvidiaKindInstalled: installed as boolean });
    expect(reqs.map((r) => r.name)).toEqual(want);
  });
  it('the image environment is never a source', () => {
    const reqs = collectCdiRequests({ ...base, profile: loadedProfile({}).profile, annotations: { NVIDIA_VISIBLE_DEVICES: 'all' } });
    expect(reqs).toEqual([]);
  });
  it('an annotation the config does not allow is refused, naming the annotation and the config key', () => {
    const run = () => collectCdiRequests({ ...base, profile: loadedProfile({}).profile, annotations: { 'cdi.k8s.io/gpu': 'nvidia.com/gpu=0' } });
    expect(run).toThrow(/\[cdi\] annotation_devices/);
    try {
      run();
    } catch (e: any) {
      expect(e.file).toBe('/b/config.json');
      expect(e.field).toBe('annotations["cdi.k8s.io/gpu"]');
    }
  });
  it('allowed annotations are requested, comma-separated', () => {
    const reqs = collectCdiRequests({ ...base, profile: loadedProfile({}).profile, annotationDevices: ['nvidia.com/gpu=*'], annotations: { 'cdi.k8s.io/gpu': 'nvidia.com/gpu=0, nvidia.com/gpu=1' } });
    expect(reqs.map((r) => r.name)).toEqual(['nvidia.com/gpu=0', 'nvidia.com/gpu=1']);
  });
  it.each([
    ['nvidia.com/gpu=0', ['nvidia.com/gpu=0'], true],
    ['nvidia.com/gpu=1', ['nvidia.com/gpu=0'], false],
    ['nvidia.com/gpu=1', ['nvidia.com/gpu=*'], true],
    ['nvidia.com/gpux=1', ['nvidia.com/gpu=*'], false],
    ['other.com/gpu=1', ['nvidia.com/gpu=*'], false],
  ])('annotationDeviceAllowed(%s, %j) = %s', (name, allowed, want) => expect(annotationDeviceAllowed(name, allowed)).toBe(want));
});
