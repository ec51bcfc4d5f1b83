// The agent setup snippets (src/shared/agentSetup.ts) parse as what they claim to be, start `pictor mcp`,
// reference EVOLINK_API_KEY without holding a key, and are the ones the README shows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentSnippets } from '../../src/shared/agentSetup';

const root = path.join(__dirname, '..', '..', '..');
const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** The TOML these snippets use, read strictly: [tables], key = "string" | ["string", …]; anything else throws. */
function parseToml(text: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  let table: Record<string, unknown> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const t = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line);
    if (t) {
      table = out[t[1]!] = {};
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+) = (.+)$/.exec(line);
    if (!kv || !table) throw new Error(`not TOML here: ${line}`);
    const value = kv[2]!;
    if (!/^"(?:[^"\\]|\\.)*"$/.test(value) && !/^\[("(?:[^"\\]|\\.)*"(, "(?:[^"\\]|\\.)*")*)?\]$/.test(value)) throw new Error(`not a TOML string or string array: ${value}`);
    table[kv[1]!] = JSON.parse(value);
  }
  return out;
}

describe('agent setup snippets', () => {
  const snippets = agentSnippets(version);

  it('one per client and launch; each parses and starts pictor mcp; the key only by reference', () => {
    assert.equal(snippets.length, 8);
    for (const s of snippets) {
      let command: string;
      let args: string[];
      let env: unknown;
      if (s.language === 'json') {
        const j = JSON.parse(s.text) as { mcpServers?: Record<string, { command: string; args: string[]; env: unknown }>; servers?: Record<string, { command: string; args: string[]; env: unknown }> };
        const entry = (j.mcpServers ?? j.servers)!.pictor!;
        ({ command, args, env } = entry);
        assert.deepEqual(env, { EVOLINK_API_KEY: '${env:EVOLINK_API_KEY}' });
      } else if (s.language === 'toml') {
        const t = parseToml(s.text)['mcp_servers.pictor']!;
        command = t.command as string;
        args = t.args as string[];
        assert.deepEqual(t.env_vars, ['EVOLINK_API_KEY']);
      } else {
        const [cmd, rest] = s.text.split(' -- ');
        assert.equal(cmd, 'claude mcp add pictor');
        [command, ...args] = rest!.split(' ') as [string, ...string[]];
      }
      const line = [command, ...args].join(' ');
      assert.equal(line, s.launch === 'installed' ? 'pictor mcp' : `npx -y pictor-cli@${version} mcp`, `${s.client}/${s.launch}`);
      assert.doesNotMatch(s.text, /EVOLINK_API_KEY"?\s*[:=]\s*"(?!\$)/, 'a literal key');
    }
  });

  it('the README shows each snippet as it is', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    for (const s of snippets) assert.ok(readme.includes(s.text), `README lacks the ${s.client} snippet (${s.launch})`);
  });
});
