// Issue 10 item 4, first half: leaves settings that VS Code accepts in settings.json but the schema
// does not (a number written as text, a timeout below the minimum) for the next start. Phase 2
// (safety.activation.phase2.test.ts) checks that Pictor activates with them and removes them again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { workspaceRoot } from './helpers';

// A root hook: runs once, after every suite of this host, so no other phase-1 suite runs with them.
after(() => {
  const file = path.join(workspaceRoot().fsPath, '.vscode', 'settings.json');
  const now = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...now, 'pictor.maxConcurrentTasks': '4', 'pictor.timeoutMinutes': 0 }, null, 2));
});
