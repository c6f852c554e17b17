// Runs the node:test files of one lane: `node scripts/test-lane.mjs fast|slow`.
// A file's lane is in its name, so a new test lands in one by where it is written: `*.slow.test.ts` is slow (it
// starts a built binary or a real server, or measures time or memory on this machine), any other `*.test.ts` under
// test/ is fast (in this process: the core, the CLI through its command context, the language server's own
// modules). test/vscode is neither: its tests run inside VS Code (npm run test:vscode).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const LANES = {
  fast: (file) => !file.endsWith('.slow.test.ts'),
  slow: (file) => file.endsWith('.slow.test.ts'),
};
const lane = process.argv[2];
if (!Object.hasOwn(LANES, lane)) {
  console.error(`usage: node scripts/test-lane.mjs ${Object.keys(LANES).join('|')}`);
  process.exit(2);
}

const files = readdirSync('test', { recursive: true })
  .map((file) => join('test', file))
  .filter((file) => file.endsWith('.test.ts') && !file.startsWith(join('test', 'vscode')) && LANES[lane](file))
  .sort();
// The fast lane's files are independent processes on every core; the slow lane's run one at a time on any machine,
// as their real servers, kills, clocks and heaps are measured against it.
const concurrency = [`--test-concurrency=${lane === 'fast' ? availableParallelism() : 1}`];
const run = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...concurrency, ...files],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
