// The `pictor` command's entry (bundled as dist/cli/pictor.js): the terminal face (src/cli), which
// starts the agent server face (src/mcp) for `pictor mcp`. The server's SDK is loaded only then.
import { main } from '../cli/main';
import type * as McpServerModule from '../mcp/server';

main(process.argv.slice(2), process.env, process.cwd(), {
  mcp: (args, env, cwd) => (require('../mcp/server') as typeof McpServerModule).serveMcp(args, env, cwd),
}).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`pictor: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
