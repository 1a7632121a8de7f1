/** Shared by the table-driven tests of the modifiers that refuse parts of a caller's config.json. */
import { expect } from 'vitest';

/** Runs `fn`, expects an OpenclawError naming config.json, `field`, a fix, and `problem`. */
export function expectRefusal(fn: () => void, field: string, problem: RegExp, file = '/bundle/config.json'): void {
  let err: any;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a refusal').toBeDefined();
  expect(err.name).toBe('OpenclawError');
  expect(err.file).toBe(file);
  expect(err.field).toBe(field);
  expect(err.fix).toBeTruthy();
  expect(err.problem).toMatch(problem);
}
