// Runs the VS Code suite (test/vscode/) through @vscode/test-electron's runTests, the runner a desktop uses:
//
//   node scripts/vscode/test-electron.mjs             here: the "VS Code executable" is scripts/vscode/electron-shim,
//                                                     which hands the run to the code-server harness (run-tests.mjs)
//   node scripts/vscode/test-electron.mjs --download  on a desktop with internet: a VS Code that test-electron
//                                                     downloads (the lowest version engines.vscode allows)
//
// One suite, two hosts: npm test runs the first form, so the suite stays runnable by test-electron.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT, buildTests } from './build-tests.mjs';

const SHIM = join(ROOT, 'scripts/vscode/electron-shim');
const download = process.argv.includes('--download');
const unknown = process.argv.slice(2).filter((a) => a !== '--download');
if (unknown.length > 0) {
  console.error(
    `test-electron: unknown argument ${unknown[0]} (usage: node scripts/vscode/test-electron.mjs [--download])`,
  );
  process.exit(2);
}

const engine = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.vscode.replace(/^\^/, '');
const options = {
  extensionDevelopmentPath: ROOT,
  extensionTestsPath: await buildTests(),
  launchArgs: [ROOT],
  ...(download ? { version: engine } : { vscodeExecutablePath: SHIM }),
};
try {
  await runTests(options);
} catch (error) {
  // runTests rejects with the exit code as its message ("Test run failed with code 1"): the suite already said why.
  console.error(`test-electron: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
