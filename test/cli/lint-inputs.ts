/**
 * `dtmetrics lint --format json` in this process (in-process.ts) on one input in a temp folder, from a file and
 * from stdin, for the tests of awkward and big inputs.
 */
import assert from 'node:assert/strict';
import { NOW, parseJsonReport, positions, type JsonFile, type TempDir } from './helpers.ts';
import { dtmetrics } from './in-process.ts';

/** The two ways to lint, in the folder `tmp()` gives when they run. */
export function lintInputs(tmp: () => TempDir) {
  async function lintJson(
    args: string[],
    stdin?: string | Uint8Array,
  ): Promise<{ code: number | null; file: JsonFile }> {
    const result = await dtmetrics(['lint', '--format', 'json', '--now', String(NOW), ...args], {
      cwd: tmp().path,
      ...(stdin !== undefined ? { stdin } : {}),
    });
    assert.equal(result.stderr, '', 'nothing on stderr');
    const report = parseJsonReport(result.stdout);
    assert.equal(report.length, 1);
    return { code: result.code, file: report[0] as JsonFile };
  }

  /**
   * Lints `content` both as a file and through stdin. With `expected`, each must give exactly those diagnostics
   * (as `positions()` strings); without, they must agree with each other.
   */
  async function lintBoth(
    name: string,
    content: string | Uint8Array,
    options: { args?: string[]; expected?: string[] } = {},
  ): Promise<{ code: number | null; found: string[]; file: JsonFile }> {
    const args = options.args ?? [];
    tmp().write(name, content);
    const fromFile = await lintJson([...args, name]);
    const fromStdin = await lintJson([...args, '-'], content);
    if (options.expected) {
      assert.deepEqual(positions(fromFile.file), options.expected, `${name} as a file`);
      assert.deepEqual(positions(fromStdin.file), options.expected, `${name} through stdin`);
    } else {
      assert.deepEqual(
        positions(fromStdin.file),
        positions(fromFile.file),
        `${name}: stdin and file give the same diagnostics`,
      );
    }
    assert.equal(fromStdin.code, fromFile.code);
    return { code: fromFile.code, found: positions(fromFile.file), file: fromFile.file };
  }
  return { lintJson, lintBoth };
}
