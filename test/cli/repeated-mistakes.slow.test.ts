/**
 * `dtmetrics lint` (in this process) on a line that repeats one mistake 200,000 times: at most five findings of a
 * kind, the fifth saying how many more, and bounded output in every format. In the slow lane for its size: each
 * such line takes seconds to lint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, TempDir } from './helpers.ts';
import { dtmetrics } from './in-process.ts';
import { lintInputs } from './lint-inputs.ts';

let tmp: TempDir;
const { lintBoth } = lintInputs(() => tmp);

before(() => {
  tmp = new TempDir();
});

after(() => tmp?.remove());

describe('a line that repeats one mistake 200,000 times', () => {
  const N = 200_000;
  const list = (make: (i: number) => string) => Array.from({ length: N }, (_, i) => make(i)).join(',');
  const CASES = [
    { name: 'metadata properties', line: `#cpu.temp gauge ${list((i) => `p${i}=a=b`)}`, repeated: ['MD002', 'DV002'] },
    { name: 'dimensions', line: `cpu.temp,${list((i) => `d${i}=a=b`)} gauge,1`, repeated: ['DV002'] },
    { name: 'summary fields', line: `cpu.temp gauge,min=1,max=1,sum=1,count=1,${list((i) => `x${i}=1`)}`, repeated: ['PL003'] },
  ];
  for (const c of CASES) {
    // Before the cap, such a line's report ran to tens of MB; SARIF carries the rule table (~30 kB) whatever the input.
    test(`${c.name}: at most 5 findings of a kind, and under 100 kB of output in every format`, async () => {
      const name = `repeated-${c.name.replace(' ', '-')}.dtmetrics`;
      const { file } = await lintBoth(name, c.line + '\n');
      for (const code of c.repeated) assert.equal(file.diagnostics.filter((d) => d.code === code).length, 5, code);
      const codes = new Set(file.diagnostics.map((d) => d.code));
      assert.ok(file.diagnostics.length <= 5 * codes.size, `${file.diagnostics.length} diagnostics of ${codes.size} kinds`);
      for (const format of ['stylish', 'sarif']) {
        const result = await dtmetrics(['lint', '--format', format, '--now', String(NOW), name], { cwd: tmp.path });
        assert.equal(result.code, 1);
        assert.ok(result.stdout.length < 100_000, `${format}: ${result.stdout.length.toLocaleString('en-US')} characters of output`);
      }
    });
  }

  test('the fifth finding of a kind says how many more there were', async () => {
    const { file } = await lintBoth('repeated-note.dtmetrics', `#cpu.temp gauge ${list((i) => `p${i}=x`)}\n`);
    const notes = file.diagnostics.filter((d) => d.message.includes('more like it'));
    assert.deepEqual(notes.map((d) => [d.code, d.column]), [['MD002', 1 + '#cpu.temp gauge p0=x,p1=x,p2=x,p3=x,'.length]]);
    assert.match(notes[0]?.message ?? '', /… and 199,995 more like it on this line/);
  });
});
