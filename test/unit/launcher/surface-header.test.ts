/**
 * launcher/surface.h is generated from shim/ (scripts/gen-launcher-header.mjs): the native
 * launcher's argv rules, command lists, protocol, paths and defaults are written once, in
 * TypeScript. This fails when the committed header is not what the sources generate now
 * (fix: npm run build && npm run gen:launcher).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { HEADER_PATH, renderHeader } from '../../../scripts/gen-launcher-header.mjs';
import * as surface from '../../../shim/cli/runc-surface.js';
import * as commands from '../../../shim/commands/index.js';
import * as protocol from '../../../shim/service/protocol.js';
import * as paths from '../../../shim/service/paths.js';
import * as handle from '../../../shim/service/handle.js';
import * as resolved from '../../../shim/service/resolved.js';
import * as defaults from '../../../shim/config/defaults.js';
import * as nodeEntry from '../../../shim/cli/node-entry.js';

describe('launcher/surface.h', () => {
  it('is what the TypeScript sources generate', () => {
    const fresh = (renderHeader as (m: unknown) => string)({ surface, commands, protocol, paths, handle, resolved, defaults, nodeEntry });
    expect(readFileSync(HEADER_PATH as string, 'utf8')).toBe(fresh);
  });

  it('the sh launcher starts Node with the same entry text', () => {
    const sh = readFileSync(new URL('../../../bin/openclaw-runtime.sh', import.meta.url), 'utf8');
    expect(sh).toContain(`NODE_ENTRY='${nodeEntry.NODE_ENTRY}'`);
  });
});
