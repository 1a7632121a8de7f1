import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../shim/config/load.js';
import { DEFAULT_CONFIG } from '../../../shim/config/defaults.js';

describe('examples/openclaw/config.toml', () => {
  it('parses, and states exactly the built-in defaults', async () => {
    const path = new URL('../../../examples/openclaw/config.toml', import.meta.url);
    expect(await parseConfigText(readFileSync(path, 'utf8'), path.pathname)).toEqual(DEFAULT_CONFIG);
  });

  it('is what README.md "Profile selection and configuration" shows as the defaults', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Profile selection and configuration\n'));
    const block = /No\s+file means these defaults[\s\S]*?```toml\n([\s\S]*?)```/.exec(section);
    expect(block, 'the defaults block').not.toBeNull();
    expect(await parseConfigText(block![1]!, 'README.md')).toEqual(DEFAULT_CONFIG);
  });
});
