#!/usr/bin/env node
// Runs the fake EvoLink provider on its own (`npm run fake-provider`), e.g. for the demo or for
// tests running in another process. Uses the compiled server so there is one implementation.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const compiled = path.join(root, 'out', 'test', 'fake-evolink', 'server.js');

function usage(code) {
  console.log(`Usage: node test/fake-evolink/cli.mjs [--port N] [--key K] [--step-ms N] [--quiet]
  --port N      port to listen on (default: $PICTOR_FAKE_PORT or 0 = any free port)
  --key K       API key the fake accepts (default: the test key)
  --step-ms N   time per task state step in ms (default 100)
  --quiet       do not print a line per request`);
  process.exit(code);
}

function intArg(name, value) {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0) {
    console.error(`${name} needs a non-negative integer, got ${value ?? 'nothing'}`);
    process.exit(2);
  }
  return n;
}

const args = process.argv.slice(2);
let port = process.env.PICTOR_FAKE_PORT ? intArg('PICTOR_FAKE_PORT', process.env.PICTOR_FAKE_PORT) : 0;
let apiKey;
let stepMs;
let quiet = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--port') port = intArg('--port', args[++i]);
  else if (a === '--key') {
    apiKey = args[++i];
    if (!apiKey) usage(2);
  } else if (a === '--step-ms') stepMs = intArg('--step-ms', args[++i]);
  else if (a === '--quiet') quiet = true;
  else if (a === '--help' || a === '-h') usage(0);
  else {
    console.error(`Unknown argument: ${a}`);
    usage(2);
  }
}

if (!existsSync(compiled)) {
  console.error(`The fake provider is not compiled yet (${path.relative(process.cwd(), compiled) || compiled} is missing).`);
  console.error('Run `npx tsc -p .` in the project folder first, then start it again.');
  process.exit(1);
}

const require = createRequire(import.meta.url);
const { startFakeEvolink } = require(compiled);

const fake = await startFakeEvolink({
  port,
  apiKey,
  behavior: stepMs !== undefined ? { stepMs } : undefined,
  log: quiet ? undefined : (line) => console.log(`${new Date().toISOString()} ${line}`),
});
console.log(`Fake EvoLink listening on ${fake.url}`);
// A fake key for a fake server: printing it is how the demo and other processes learn it.
console.log(`Test API key: ${fake.apiKey}`);
console.log('Prompt markers: [fail:CODE] [slow:MS] [fewer:K] [never] [hold]; control: /__fake/{requests,stats,behavior,reset,tasks,tasks/<id>/complete,tasks/<id>/release,release,files}');

let closing = false;
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`${signal}: closing the fake provider`);
  await fake.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
