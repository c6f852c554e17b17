// Entry point that VS Code's extension host calls (extensionTestsPath): runs every *.test.js beside this file with
// mocha, prints the closing line `N passed, N failed[, N skipped]`, and rejects when a test failed so that the host
// reports a non-zero exit code (scripts/vscode/run-tests.mjs, or @vscode/test-electron on a desktop).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000 });
  const grep = process.env.DTMETRICS_VSCODE_GREP;
  if (grep) mocha.grep(grep);
  for (const name of readdirSync(__dirname, { recursive: true }).map(String).sort()) {
    if (name.endsWith('.test.js')) mocha.addFile(join(__dirname, name));
  }
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const { passes = 0, failures = 0, pending = 0, tests = 0 } = runner.stats ?? {};
        console.log(`${passes} passed, ${failures} failed${pending > 0 ? `, ${pending} skipped` : ''}`);
        if (failures > 0) reject(new Error(`${failures} of ${tests} tests failed`));
        else if (tests === 0) reject(new Error('no test ran'));
        else resolve();
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
