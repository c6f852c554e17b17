/** `dtmetrics lint`: a thin adapter from files and flags to the core's FileLinter and a reporter. */
import { DirectiveReader, windowApplies } from '#core/directives.ts';
import { FileLinter, type LintOptions } from '#core/lint.ts';
import type { Diagnostic } from '#core/problems.ts';
import {
  FRACTIONAL_LIMITS,
  LIMITS,
  isRuleCode,
  isSeveritySetting,
  SEVERITY_SETTINGS,
  type Limits,
  type RuleCode,
  type SeveritySetting,
  REMOVED_RULES,
} from '#core/rules.ts';
import { parseInstant } from '#core/time.ts';
import { describeSystemError, UserError } from '#edge/errors.ts';
import { expandInputs, type Input } from './inputs.ts';
import { chunksOf, readLines, readyInputs, type LineSink } from './read-lines.ts';
import { fractionOption, integerOption, parseCommandLine, timeOption } from './options.ts';
import { createReporter, FORMATS, type Format, type Totals } from './reporters.ts';
import type { CommandContext } from './context.ts';
import { VERSION } from './version.ts';

const LINT_USAGE = `Usage: dtmetrics lint [options] <file|directory|glob|->...

Checks Dynatrace metric lines against the ingestion protocol's rules.
Directories are searched for *.dtmetrics files; '-' reads standard input.

Options:
  --format <stylish|json|sarif>   output format (default: stylish)
  --now <time>                    check timestamps against this instant (default: the clock):
                                  epoch ms, ISO-8601 (UTC unless a zone is written) or now-1h
  --timestamp-window <check|off>  'off' skips the 1 h / 10 min window (TS003), for fixtures
  --max-warnings <n>              exit 1 when there are more than n warnings
  --quiet                         report errors only
  --hints                         report hints too (notes such as where a count is stored; the editor shows them)
  --rule <CODE=severity>          error, warning, info, hint or off; repeatable
  --limit <name=n>                override a limit, e.g. cardinalityBudget=5000 or summaryTolerance=1e-6; repeatable
  -h, --help                      show this help

Exit codes: 0 no errors, 1 errors (or too many warnings), 2 usage or I/O error.`;

interface LintSettings {
  format: Format;
  options: LintOptions;
  maxWarnings: number;
  quiet: boolean;
  /** Hints are notes with nothing to act on (MK010 on a count): the editor shows them, a lint run only if asked. */
  hints: boolean;
  inputs: Input[];
  /** What to say on stderr before linting (a `--rule` for a rule that is gone). */
  notes: string[];
}

export function parseLintArgs(argv: string[], clock: () => number): LintSettings | 'help' {
  const parsed = parseCommandLine('lint', {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      now: { type: 'string' },
      'timestamp-window': { type: 'string' },
      'max-warnings': { type: 'string' },
      quiet: { type: 'boolean' },
      hints: { type: 'boolean' },
      rule: { type: 'string', multiple: true },
      limit: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (v.help) return 'help';
  const format = (v.format ?? 'stylish') as Format;
  if (!FORMATS.includes(format))
    throw new UserError(`--format must be one of ${FORMATS.join(', ')}, not '${v.format}'`);
  const window = v['timestamp-window'] ?? 'check';
  if (window !== 'check' && window !== 'off')
    throw new UserError(`--timestamp-window must be 'check' or 'off', not '${window}'`);
  const instant = v.now === undefined ? clock() : timeOption(parseInstant(v.now, '--now', clock()));
  const now = window === 'off' ? null : instant;
  if (parsed.positionals.length === 0)
    throw new UserError("no files given: name files, directories, glob patterns or '-' (try 'dtmetrics lint .')");
  const { severities, notes } = parseRules(v.rule ?? []);
  return {
    notes,
    format,
    options: { now, severities, limits: parseLimits(v.limit ?? []) },
    maxWarnings: v['max-warnings'] === undefined ? -1 : integerOption('--max-warnings', v['max-warnings'], { min: 0 }),
    quiet: v.quiet ?? false,
    hints: v.hints ?? false,
    inputs: expandInputs(parsed.positionals),
  };
}

function parseRules(specs: string[]): { severities: Partial<Record<RuleCode, SeveritySetting>>; notes: string[] } {
  const severities: Partial<Record<RuleCode, SeveritySetting>> = {};
  const notes: string[] = [];
  for (const spec of specs) {
    const [code = '', severity = ''] = spec.split('=');
    const upper = code.toUpperCase();
    const removed = REMOVED_RULES[upper];
    if (removed !== undefined) {
      notes.push(`note: --rule ${code}: ${upper} was removed (${removed}); the option changes nothing`);
      continue;
    }
    if (!isRuleCode(upper)) throw new UserError(`--rule: unknown rule '${code}' (codes look like MK001)`);
    if (!isSeveritySetting(severity))
      throw new UserError(`--rule ${code}: severity must be one of ${SEVERITY_SETTINGS.join(', ')}`);
    severities[upper] = severity;
  }
  return { severities, notes };
}

function parseLimits(specs: string[]): Partial<Limits> {
  const limits: Partial<Limits> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const value = eq < 0 ? '' : spec.slice(eq + 1);
    if (!Object.prototype.hasOwnProperty.call(LIMITS, name))
      throw new UserError(`--limit: unknown limit '${name}' (one of ${Object.keys(LIMITS).join(', ')})`);
    const limit = name as keyof Limits;
    limits[limit] = FRACTIONAL_LIMITS.has(limit)
      ? fractionOption(`--limit ${name}`, value)
      : integerOption(`--limit ${name}`, value, { min: 0 });
  }
  return limits;
}

export async function runLint(argv: string[], { stdout: out, stderr, stdin, now }: CommandContext): Promise<number> {
  const settings = parseLintArgs(argv, now);
  if (settings === 'help') {
    out.write(LINT_USAGE + '\n');
    return 0;
  }
  for (const note of settings.notes) stderr.write(note + '\n');
  // Before the reporter writes its first byte: a binary stdin stops the run with nothing on stdout, as a file does.
  const inputs = await readyInputs(settings.inputs, stdin);
  const reporter = createReporter(settings.format, (s) => out.write(s), { color: out.color, version: VERSION });
  const totals: Totals = { files: 0, lines: 0, error: 0, warning: 0, info: 0, hint: 0 };
  for (const input of inputs) {
    const linter = new FileLinter(settings.options);
    const header = new DirectiveReader();
    reporter.beginFile(input.name);
    let index = 0;
    const report = (diagnostics: readonly Diagnostic[]) => {
      for (const d of diagnostics) {
        if (d.severity === 'hint' && !settings.hints) continue;
        totals[d.severity]++;
        if (!settings.quiet || d.severity === 'error') reporter.report(d);
      }
      index++;
    };
    const sink: LineSink = {
      bytes: (buf, start, end) => {
        const diagnostics = linter.lintCleanBytes(index, buf, start, end);
        if (diagnostics === null) return false;
        header.end();
        report(diagnostics);
        return true;
      },
      text: (text, length, bytes) => {
        if (header.read(text) && !windowApplies(header.directives)) linter.windowOff();
        report(linter.lintLine(index, text, length, bytes));
      },
    };
    try {
      await readLines(chunksOf(input), sink, () => out.drain());
    } catch (error) {
      // Output has begun (a file removed or failing since it was checked): the report is closed, valid, with the
      // reason in it, and the run stops there as for any I/O error.
      const reason = `cannot read '${input.name}': ${describeSystemError(error)}`;
      reporter.fail(reason);
      throw new UserError(reason);
    }
    reporter.endFile();
    totals.files++;
    totals.lines += index;
  }
  if (settings.quiet) totals.warning = totals.info = totals.hint = 0;
  reporter.end(totals);
  const tooManyWarnings = settings.maxWarnings >= 0 && totals.warning > settings.maxWarnings;
  if (tooManyWarnings && settings.format === 'stylish') {
    out.write(`Too many warnings: ${totals.warning} (--max-warnings ${settings.maxWarnings}).\n`);
  }
  return totals.error > 0 || tooManyWarnings ? 1 : 0;
}
