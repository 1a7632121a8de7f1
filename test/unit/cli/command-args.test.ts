/**
 * The shim commands' one argument parser (shim/cli/command-args.ts): parseArgs over a table,
 * with the usage and --help generated from the same table.
 */
import { describe, expect, it } from 'vitest';
import { commandSpec, helpText, parseCommandArgs, usageLine } from '../../../shim/cli/command-args.js';
import { OpenclawError } from '../../../shim/errors.js';
import { SHIM_ONLY_SPECS } from '../../../shim/commands/specs.js';
import { SHIM_COMMANDS } from '../../../shim/commands/index.js';

const SPEC = commandSpec({
  name: 'demo',
  summary: 'a demo command',
  args: '[ID...]',
  positionals: { min: 0, max: 2 },
  options: {
    log: { type: 'string', value: 'PATH', help: 'the log' },
    bundle: { type: 'string', short: 'b', value: 'DIR', help: 'the bundle' },
    json: { type: 'boolean', help: 'JSON out' },
    env: { type: 'string', multiple: true, help: 'an entry' },
  },
});

describe('parseCommandArgs: accepted', () => {
  it.each([
    { args: [], values: {}, positionals: [] },
    { args: ['a'], values: {}, positionals: ['a'] },
    { args: ['--log', '/l', 'a'], values: { log: '/l' }, positionals: ['a'] },
    { args: ['a', '--log=/l'], values: { log: '/l' }, positionals: ['a'] },
    { args: ['-b', 'd', '--json'], values: { bundle: 'd', json: true }, positionals: [] },
    { args: ['--env', 'A=1', '--env=B=2'], values: { env: ['A=1', 'B=2'] }, positionals: [] },
    { args: ['--log='], values: { log: '' }, positionals: [] },
    { name: '"--" ends the flags: "--help" after it is an argument', args: ['--', '--help'], values: {}, positionals: ['--help'] },
  ])('$args', ({ args, values, positionals }) => {
    const r = parseCommandArgs(SPEC, args);
    expect(r).toEqual({ help: false, values, positionals });
  });
});

describe('parseCommandArgs: --help wins over everything before "--"', () => {
  it.each([{ args: ['--help'] }, { args: ['-h'] }, { args: ['a', 'b', 'c', '--help'] }, { args: ['--bogus', '-h'] }, { args: ['--log', '/l', '--help', '--', 'x'] }])('$args', ({ args }) => {
    const r = parseCommandArgs(SPEC, args);
    expect(r).toEqual({ help: true, text: helpText(SPEC) });
  });
});

describe('parseCommandArgs: refused, with the usage as the fix', () => {
  it.each([
    { args: ['--bogus'], problem: 'demo: unknown flag --bogus' },
    { args: ['-x'], problem: 'demo: unknown flag -x' },
    { args: ['--log'], problem: 'demo: --log needs a value' },
    { args: ['-b'], problem: 'demo: --bundle needs a value' },
    { args: ['--json=yes'], problem: 'demo: --json takes no value' },
    { args: ['a', 'b', 'c'], problem: 'demo: too many arguments ("c")' },
  ])('$args', ({ args, problem }) => {
    let err: unknown;
    try {
      parseCommandArgs(SPEC, args);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpenclawError);
    expect((err as OpenclawError).problem).toBe(problem);
    expect((err as OpenclawError).fix).toBe(`${usageLine(SPEC)} (see openclaw-runtime demo --help)`);
  });

  it('too few and no arguments at all', () => {
    expect(() => parseCommandArgs({ ...SPEC, positionals: { min: 1, max: 1 } }, [])).toThrow('demo: missing [ID...]');
    expect(() => parseCommandArgs({ ...SPEC, positionals: { min: 0, max: 0 } }, ['x'])).toThrow('demo: takes no arguments, got "x"');
  });
});

describe('usage and help come from the same table as the parser', () => {
  it('the demo spec', () => {
    expect(usageLine(SPEC)).toBe('usage: openclaw-runtime demo [--log PATH] [--bundle DIR] [--json] [--env VALUE]... [ID...]');
    expect(helpText(SPEC)).toBe(
      [
        'usage: openclaw-runtime demo [--log PATH] [--bundle DIR] [--json] [--env VALUE]... [ID...]',
        '  a demo command',
        '',
        'options:',
        '      --log PATH    the log',
        '  -b, --bundle DIR  the bundle',
        '      --json        JSON out',
        '      --env VALUE   an entry (may be repeated)',
        '  -h, --help        print this help and exit',
        '',
      ].join('\n'),
    );
  });

  // Every shim-only command: each option its help names is one its parser takes, and back.
  it.each(SHIM_ONLY_SPECS.map((s) => [s.name, s] as const))('%s', (name, spec) => {
    expect(Object.hasOwn(SHIM_COMMANDS, name)).toBe(true);
    const help = helpText(spec);
    for (const [opt, o] of Object.entries(spec.options)) {
      expect(help).toContain(`--${opt}`);
      const args = o.type === 'string' ? [`--${opt}`, '/v'] : [`--${opt}`];
      const padded = [...Array(spec.positionals.min).fill('poststop'), ...args];
      expect(parseCommandArgs(spec, padded).help).toBe(false);
    }
    expect(() => parseCommandArgs(spec, [...Array(spec.positionals.min).fill('poststop'), '--not-a-flag'])).toThrow(/unknown flag --not-a-flag/);
  });
});
