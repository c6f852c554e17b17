/**
 * The benchmark's baseline: the least work any line linter must do on a file, done the way the CLI reads it.
 * Streams the file with the CLI's chunk size (1 MiB highWaterMark, server/src/cli/lint-command.ts), decodes it
 * with TextDecoder('utf-8') in stream mode (server/src/cli/read-lines.ts), and walks every character with
 * charCodeAt, counting line feeds. Prints `{"lines":…,"chars":…}` so the parent can check it read everything.
 *
 * Usage: node bench/bare-scan.mjs FILE
 */
import { createReadStream } from 'node:fs';
import { TextDecoder } from 'node:util';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/bare-scan.mjs FILE\n');
  process.exit(2);
}

const decoder = new TextDecoder('utf-8');
let lines = 0;
let chars = 0;

/** @param {string} text */
function scan(text) {
  const n = text.length;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) === 0x0a) lines++;
  chars += n;
}

for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
  scan(decoder.decode(chunk, { stream: true }));
scan(decoder.decode());
process.stdout.write(JSON.stringify({ lines, chars }) + '\n');
