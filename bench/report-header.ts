/** The lines every benchmark report starts with: what it measures, the command that measures it, when, on what. */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, type } from 'node:os';

export function reportHeader(title: string, command: string): string[] {
  return [
    `# ${title}`,
    '',
    `Command: \`${command}\`  `,
    `Date: ${new Date().toISOString()}`,
    '',
    `Machine: ${cpuModel()} (${cpus().length} logical CPUs), ${type()} ${release()}, Node ${process.version}`,
    '',
  ];
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux: fall back to what Node knows.
  }
  return cpus()[0]?.model.trim() ?? 'unknown CPU';
}

/** Writes a benchmark's report and prints it. */
export function writeReport(path: string, markdown: string): void {
  writeFileSync(path, markdown);
  process.stdout.write(markdown + `\nWritten to ${path}\n`);
}

/** Runs a benchmark: a failure is one line on standard error and exit code 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
