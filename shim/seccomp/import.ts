/**
 * A libseccomp/Docker-style JSON seccomp profile -> linux.seccomp, with the lints profiles get
 * (rules.ts). Accepts the OCI shape (`architectures`, `syscalls[].names|name`, `args`, `errnoRet`)
 * and Docker's default.json shape (`archMap`, `includes`/`excludes` by caps, arches, minKernel).
 *
 * Conservative readings, because the importer cannot know the container:
 *  - archMap: only the native architecture, never its sub-architectures (x86, x32 stay killed);
 *  - includes/excludes by caps: the container has none of them (our profiles grant none);
 *  - by minKernel without a known kernel, or by arches when several are listed: a rule that
 *    would loosen the filter (action looser than the default) is left out, one that would
 *    tighten it is kept.
 * Values are read losslessly: 64-bit masks stay exact.
 */
import { OpenclawError } from '../errors.js';
import { isRecord, parseJsonLossless } from '../util/json.js';
import type { SpecSeccomp } from '../oci/types.js';
import type { Atom } from './algebra.js';
import { guardComplexity, makeAction, rank, type Action, type FilterModel } from './model.js';
import { encodeSeccomp } from './oci-codec.js';
import { partitionsOfRules, type RuleInput } from './rules.js';
import { ACTION_WORDS, ARCH_BY_GO, ARCH_BY_SCMP, CMP_BY_OCI, nativeScmpArch } from './vocabulary.js';

export interface ImportOptions {
  /** SCMP_ARCH_* of the host; default from process.arch. */
  nativeArch?: string;
  /** Capabilities the container will have (default none). */
  caps?: string[];
  /** Kernel release, e.g. "6.1.0"; unknown by default. */
  kernelVersion?: string;
}

type Json = Record<string, unknown>;
type Tri = boolean | 'unknown';

function fail(file: string, field: string, problem: string, fix: string): never {
  throw new OpenclawError('seccomp', problem, { file, field, fix });
}

function u64(file: string, field: string, v: unknown): bigint {
  if ((typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'bigint' && v >= 0n)) {
    const b = BigInt(v);
    if (b <= 0xffffffffffffffffn) return b;
  }
  return fail(file, field, `${String(v)} is not an unsigned 64-bit integer`, 'write the value as a non-negative integer');
}

function strList(file: string, field: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(file, field, 'must be a list of strings', 'write a JSON array of strings');
  return v as string[];
}

function versionAtLeast(have: string, want: string): boolean {
  const a = have.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const b = want.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function archNames(list: string[]): string[] {
  return list.map((a) => ARCH_BY_GO[a]?.scmp ?? ARCH_BY_SCMP[a]?.scmp ?? a);
}

/** Does a Docker includes/excludes filter match this container? */
function filterMatches(f: Json, arches: string[], opts: ImportOptions, file: string, field: string): Tri {
  const results: Tri[] = [];
  const caps = strList(file, `${field}.caps`, f.caps);
  if (caps.length > 0) results.push(caps.every((c) => (opts.caps ?? []).includes(c)));
  const fa = archNames(strList(file, `${field}.arches`, f.arches));
  if (fa.length > 0) {
    const hits = arches.filter((a) => fa.includes(a)).length;
    results.push(hits === arches.length ? true : hits === 0 ? false : 'unknown');
  }
  if (f.minKernel !== undefined) {
    if (typeof f.minKernel !== 'string') fail(file, `${field}.minKernel`, 'must be a version string such as "4.8"', 'quote the version');
    results.push(opts.kernelVersion ? versionAtLeast(opts.kernelVersion, f.minKernel) : 'unknown');
  }
  if (results.length === 0) return true;
  if (results.includes(false)) return false;
  return results.includes('unknown') ? 'unknown' : true;
}

function applies(rule: Json, arches: string[], opts: ImportOptions, file: string, field: string, loosens: boolean): boolean {
  const inc = isRecord(rule.includes) ? filterMatches(rule.includes, arches, opts, file, `${field}.includes`) : true;
  const exc = isRecord(rule.excludes) ? excludesMatch(rule.excludes, arches, opts, file, `${field}.excludes`) : false;
  const decide = (t: Tri, whenUnknown: boolean) => (t === 'unknown' ? whenUnknown : t);
  // Unknown: keep what tightens, drop what loosens.
  return decide(inc, !loosens) && !decide(exc, loosens);
}

/** excludes: the rule is left out when ANY listed cap/arch matches (Docker's semantics). */
function excludesMatch(f: Json, arches: string[], opts: ImportOptions, file: string, field: string): Tri {
  const caps = strList(file, `${field}.caps`, f.caps);
  if (caps.some((c) => (opts.caps ?? []).includes(c))) return true;
  const fa = archNames(strList(file, `${field}.arches`, f.arches));
  if (fa.length > 0) {
    const hits = arches.filter((a) => fa.includes(a)).length;
    if (hits === arches.length) return true;
    if (hits > 0) return 'unknown';
  }
  if (f.minKernel !== undefined) return opts.kernelVersion && typeof f.minKernel === 'string' ? versionAtLeast(opts.kernelVersion, f.minKernel) : 'unknown';
  return false;
}

function actionAt(file: string, field: string, word: unknown, errnoRet: unknown): Action {
  const kind = typeof word === 'string' ? ACTION_WORDS[word] : undefined;
  if (!kind || !String(word).startsWith('SCMP_ACT_')) fail(file, field, `unknown action ${JSON.stringify(word)}`, 'use an SCMP_ACT_* action');
  if (errnoRet !== undefined && (typeof errnoRet !== 'number' || !Number.isInteger(errnoRet) || errnoRet < 0)) {
    fail(file, field.replace(/action$/, 'errnoRet'), 'errnoRet must be a non-negative integer', 'write the errno number, e.g. 1 for EPERM');
  }
  return makeAction(kind, errnoRet as number | undefined);
}

function architecturesOf(doc: Json, file: string, opts: ImportOptions): string[] {
  const native = opts.nativeArch ?? nativeScmpArch();
  if (doc.architectures !== undefined) {
    const list = strList(file, 'architectures', doc.architectures);
    list.forEach((a, i) => ARCH_BY_SCMP[a] || fail(file, `architectures[${i}]`, `unknown architecture "${a}"`, `use one of ${Object.keys(ARCH_BY_SCMP).join(', ')}`));
    return list.length > 0 ? [...new Set(list)].sort() : [native];
  }
  if (Array.isArray(doc.archMap)) {
    const entry = doc.archMap.find((e) => isRecord(e) && e.architecture === native);
    if (!entry) fail(file, 'archMap', `no entry for this machine's architecture ${native}`, `add an archMap entry for ${native}`);
    return [native];
  }
  return [native];
}

/** Parses and lints a JSON seccomp profile. `file` is named in every error. */
export function importSeccompJson(text: string, file: string, opts: ImportOptions = {}): SpecSeccomp {
  let doc: unknown;
  try {
    doc = parseJsonLossless(text);
  } catch (e) {
    return fail(file, '', `not valid JSON (${(e as Error).message})`, 'fix the JSON syntax');
  }
  return importSeccompObject(doc, file, opts);
}

export function importSeccompObject(doc: unknown, file: string, opts: ImportOptions = {}): SpecSeccomp {
  if (!isRecord(doc)) fail(file, '', 'a seccomp profile must be a JSON object', 'start from {"defaultAction": ..., "syscalls": [...]}');
  const defaultAction = actionAt(file, 'defaultAction', doc.defaultAction, doc.defaultErrnoRet);
  if (defaultAction.kind === 'notify') fail(file, 'defaultAction', 'runc refuses SCMP_ACT_NOTIFY as the default action', 'use SCMP_ACT_ERRNO');
  if (doc.flags !== undefined) fail(file, 'flags', 'runc 1.1.5 refuses seccomp flags', 'remove flags');
  const architectures = architecturesOf(doc, file, opts);
  const syscalls = doc.syscalls ?? [];
  if (!Array.isArray(syscalls)) fail(file, 'syscalls', 'must be a list', 'write "syscalls": [ ... ]');
  const inputs: RuleInput[] = [];
  syscalls.forEach((raw, i) => {
    const f = `syscalls[${i}]`;
    if (!isRecord(raw)) fail(file, f, 'must be an object', 'write {"names": [...], "action": ...}');
    const action = actionAt(file, `${f}.action`, raw.action, raw.errnoRet);
    const loosens = rank(action) < rank(defaultAction);
    if (!applies(raw, architectures, opts, file, f, loosens)) return;
    const single = typeof raw.name === 'string';
    const names = single ? [raw.name as string] : strList(file, `${f}.names`, raw.names);
    if (names.length === 0) fail(file, `${f}.names`, 'names is empty', 'list at least one syscall');
    const argsRaw = raw.args ?? [];
    if (!Array.isArray(argsRaw)) fail(file, `${f}.args`, 'must be a list', 'write "args": [ ... ]');
    const args: Atom[] = argsRaw.map((a, j) => {
      const af = `${f}.args[${j}]`;
      if (!isRecord(a)) fail(file, af, 'must be an object', 'write {"index": N, "op": "SCMP_CMP_EQ", "value": V}');
      const op = typeof a.op === 'string' ? CMP_BY_OCI[a.op] : undefined;
      if (!op) fail(file, `${af}.op`, `unknown comparison ${JSON.stringify(a.op)}`, `use one of ${Object.keys(CMP_BY_OCI).join(', ')}`);
      const index = Number(u64(file, `${af}.index`, a.index));
      return { index, op, value: u64(file, `${af}.value`, a.value), valueTwo: op === 'MASKED_EQ' ? u64(file, `${af}.valueTwo`, a.valueTwo ?? 0) : 0n };
    });
    inputs.push({ field: f, names, nameField: (k) => (single ? `${f}.name` : `${f}.names[${k}]`), action, args });
  });
  return guardComplexity(file, 'syscalls', () => {
    const model: FilterModel = {
      defaultAction,
      architectures,
      syscalls: partitionsOfRules(inputs, { file, defaultAction, architectures, archCheck: doc.architectures === undefined && Array.isArray(doc.archMap) ? 'none' : 'some' }),
    };
    if (typeof doc.listenerPath === 'string') model.listenerPath = doc.listenerPath;
    if (typeof doc.listenerMetadata === 'string') model.listenerMetadata = doc.listenerMetadata;
    return encodeSeccomp(model);
  });
}
