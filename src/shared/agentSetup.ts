// How other agents start Pictor's MCP server (`pictor mcp`, issue 22): one snippet per client, for an
// installed `pictor` or through npx. The README shows them, and so does the editor command "Set Up for
// Other Agents" (src/vscode/agentSetup.ts). A snippet never holds a key: only a reference to EVOLINK_API_KEY.

export type AgentClient = 'claude' | 'cursor' | 'codex' | 'vscode';
export type Launch = 'installed' | 'npx';

export interface AgentSnippet {
  client: AgentClient;
  launch: Launch;
  /** Where it goes: a shell, or the file it is added to. */
  where: string;
  /** 'shell', 'json' or 'toml': how it reads. */
  language: 'shell' | 'json' | 'toml';
  text: string;
}

/** The command and its arguments that start the server. */
export function serverCommand(launch: Launch, version: string): { command: string; args: string[] } {
  return launch === 'installed' ? { command: 'pictor', args: ['mcp'] } : { command: 'npx', args: ['-y', `pictor-cli@${version}`, 'mcp'] };
}

export function agentSnippets(version: string): AgentSnippet[] {
  const out: AgentSnippet[] = [];
  for (const launch of ['installed', 'npx'] as const) {
    const { command, args } = serverCommand(launch, version);
    const line = [command, ...args].join(' ');
    // Claude Code starts the server with its own environment: EVOLINK_API_KEY set where it runs.
    out.push({ client: 'claude', launch, where: 'a shell', language: 'shell', text: ['claude', 'mcp', 'add', 'pictor', '--', line].join(' ') });
    out.push({ client: 'cursor', launch, where: '.cursor/mcp.json', language: 'json', text: JSON.stringify({ mcpServers: { pictor: { command, args, env: { EVOLINK_API_KEY: '${env:EVOLINK_API_KEY}' } } } }, null, 2) });
    out.push({ client: 'codex', launch, where: '~/.codex/config.toml', language: 'toml', text: [
      '[mcp_servers.pictor]', `command = ${JSON.stringify(command)}`, `args = [${args.map((a) => JSON.stringify(a)).join(', ')}]`, 'env_vars = ["EVOLINK_API_KEY"]',
    ].join('\n') });
    out.push({ client: 'vscode', launch, where: '.vscode/mcp.json', language: 'json', text: JSON.stringify({ servers: { pictor: { type: 'stdio', command, args, env: { EVOLINK_API_KEY: '${env:EVOLINK_API_KEY}' } } } }, null, 2) });
  }
  return out;
}
