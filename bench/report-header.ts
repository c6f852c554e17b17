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

/**
 * Writes one section of a report that several benchmarks share (`# title`, then a `## ` section each): the section
 * whose heading is `markdown`'s first line is replaced where it stands, or added at the end; the others are kept.
 * `markdown` is a whole report (reportHeader's lines first): its headings move down one level.
 */
export function writeReportSection(path: string, title: string, markdown: string): void {
  const section = markdown.replace(/^#/gm, '##').trimEnd() + '\n';
  const heading = section.slice(0, section.indexOf('\n') + 1);
  let existing = '';
  try {
    existing = readFileSync(path, 'utf8');
  } catch {
    // A new report.
  }
  const sections = existing.startsWith(`# ${title}\n`) ? existing.split(/^(?=## )/m).slice(1) : [];
  const at = sections.findIndex((s) => s.startsWith(heading));
  if (at >= 0) sections[at] = section;
  else sections.push(section);
  writeReport(path, [`# ${title}\n\n`, ...sections.map((s) => s.trimEnd() + '\n\n')].join('').trimEnd() + '\n');
}

/** Runs a benchmark: a failure is one line on standard error and exit code 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
