/**
 * What the local tenant's metric APIs (evaluate.ts, list.ts, v1.ts) share: the answer they give the HTTP server (a
 * status and a body), and the ways they refuse a request (a 400 naming the parameter at fault, a 404 for a metric
 * the store does not hold). A refusal is a Failure (core/result.ts): its message for the user, and the answer that
 * carries it.
 */
import type { Failure } from '../result.ts';
import type { ConstraintViolation, ErrorEnvelope } from './api.ts';
import type { MetricSource } from './series.ts';
import type { Param } from './time.ts';

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** A request the API refuses: the message for the user, and the answer (an ErrorEnvelope) that says it. */
export type Refusal = Failure<{ response: ApiResponse }>;

export function constraintViolated(
  path: string,
  message: string,
  parameterLocation: ConstraintViolation['parameterLocation'] = 'QUERY',
): Refusal {
  const body: ErrorEnvelope = {
    error: {
      code: 400,
      message: 'Constraints violated.',
      constraintViolations: [{ path, message, parameterLocation, location: null }],
    },
  };
  return { ok: false, message, response: { status: 400, body } };
}

/** The 400 for a parameter a parser refused (a Parsed failure: core/time.ts). */
export const invalidParameter = (
  invalid: Failure<{ parameter: string }>,
  location?: ConstraintViolation['parameterLocation'],
): Refusal => constraintViolated(invalid.parameter, invalid.message, location);

/** 404 for a key the store does not hold, naming the suffixed key when that is what exists (PROTOCOL §9.5). */
export function metricNotFound(source: MetricSource, key: string): Refusal {
  const suffixed = ['.count', '.gauge'].map((suffix) => key + suffix).find((candidate) => source.metric(candidate));
  const hint = suffixed
    ? ` Did you mean '${suffixed}'? The ingest API stores count metrics with the suffix .count.`
    : '';
  const message = `Metric '${key}' not found.${hint}`;
  const body: ErrorEnvelope = { error: { code: 404, message } };
  return { ok: false, message, response: { status: 404, body } };
}

/**
 * A 400 for the first of `names` that is set: parameters of the real API the local tenant cannot honour, refused
 * rather than ignored, since ignoring them would answer a different question.
 */
export function unsupportedParameter(
  params: Readonly<Record<string, Param>>,
  names: readonly string[],
  hint: string,
): Refusal | null {
  const name = names.find((candidate) => params[candidate]?.trim());
  return name ? constraintViolated(name, `${name}: not supported by the local tenant${hint}`) : null;
}

/** A JSON object, as a request body or a page key holds one. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
