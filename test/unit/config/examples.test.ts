import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../shim/config/load.js';
import { DEFAULT_CONFIG } from '../../../shim/config/defaults.js';

describe('examples/openclaw/config.toml', () => {
  it('parses, and states exactly the built-in defaults', async () => {
    const path = new URL('../../../examples/openclaw/config.toml', import.meta.url);
    expect(await parseConfigText(readFileSync(path, 'utf8'), path.pathname)).toEqual(DEFAULT_CONFIG);
  });
});
