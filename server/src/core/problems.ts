import { RULES, type RuleArgs, type RuleCode, type Severity } from './rules.ts';

/** One edit that fixes a finding when it has exactly one right answer (quick fixes are built from it). */
export interface TextEdit {
  /** Offsets in the finding's own line, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface DiagnosticData {
  fix?: Fix;
  /** Another line this finding refers to (the first use of a key, the first metadata line). */
  relatedLine?: number;
  /** Timestamp findings carry the parsed value so editors can offer "replace with now". */
  timestamp?: { start: number; end: number };
}

/** A finding's severity grade: `lesser` is e.g. MK008 for 251–255 characters. */
export type Grade = 'full' | 'lesser' | 'least';

/** A finding within one line, before it is placed in a file and given its configured severity. */
export interface Problem {
  code: RuleCode;
  start: number;
  end: number;
  message: string;
  /** Which of the rule's severities applies: its own, its `lesserSeverity` or its `leastSeverity` (DV005). */
  grade: Grade;
  data: DiagnosticData | undefined;
}

/** The core's output: plain data, 0-based line, UTF-16 columns, end exclusive. */
export interface Diagnostic {
  line: number;
  startChar: number;
  endChar: number;
  severity: Severity;
  code: RuleCode;
  message: string;
  data?: DiagnosticData;
}

export function problem<C extends RuleCode>(
  code: C,
  start: number,
  end: number,
  args: RuleArgs<C>,
  data?: DiagnosticData,
  grade: Grade = 'full',
): Problem {
  const format = RULES[code].message as (a: RuleArgs<C>) => string;
  return { code, start, end, message: format(args), grade, data };
}

/** A finding's severity by its rule and grade, before any setting changes it. */
export function ruleSeverity(p: Problem): Severity {
  const rule = RULES[p.code] as { severity: Severity; lesserSeverity?: Severity; leastSeverity?: Severity };
  return (
    (p.grade === 'lesser' ? rule.lesserSeverity : p.grade === 'least' ? rule.leastSeverity : undefined) ?? rule.severity
  );
}

/** Whether findings include one a tenant refuses the line for (by the rules' own severities). */
export function hasError(problems: readonly Problem[]): boolean {
  return problems.some((p) => ruleSeverity(p) === 'error');
}
