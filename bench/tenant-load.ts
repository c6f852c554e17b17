/**
 * What the benchmarks that load the local tenant share: the built tenant as a child process, a realistic workload
 * of request-latency summaries, and a raw undici client that POSTs it pre-split by the push planner (the floor of
 * what any pusher costs on top of the server).
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'undici';
import { planPush, requestBody } from '#core/push/plan.ts';

export const CONCURRENCY = 4;

/** `lines` request-latency summaries of 50 services × 200 endpoints (about 100 bytes a line), timestamps in the last minutes. */
export function generateSummaries(run: string, now: number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const min = 10 + (i % 37);
    const count = 1 + (i % 13);
    // One point is its own min, max and sum; more spread between min and max.
    const max = count === 1 ? min : min + (i % 91);
    const sum = ((min + max) / 2) * count;
    out.push(
      `bench.push.latency,run=${run},service=svc-${i % 50},endpoint=/items/${i % 200},method=GET gauge,min=${min},max=${max},sum=${sum},count=${count} ${now - 120_000 + (i % 60) * 1000}`,
    );
  }
  return out.join('\n') + '\n';
}

export interface TenantChild {
  url: string;
  /** Milliseconds from spawning to the line that says where it listens. */
  startMs: number;
  stop(): Promise<void>;
}

/** Starts `node …nodeArgs CLI serve --port 0 …args` and resolves once it listens. */
export function startTenant(cli: string, args: string[] = [], nodeArgs: string[] = []): Promise<TenantChild> {
  return new Promise((resolveTenant, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, cli, 'serve', '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the tenant did not start: ${out}`)), 120_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url && timer) {
        clearTimeout(timer);
        const startMs = performance.now() - started;
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolveTenant({
          url,
          startMs,
          stop: () => new Promise<void>((done) => (child.once('close', () => done()), child.kill('SIGTERM'))),
        });
      }
    });
    child.once('error', reject);
  });
}

/** The planner's batches of `text` POSTed by CONCURRENCY workers on one pool, every answer checked; milliseconds. */
export async function rawPush(url: string, text: string, expectedLines: number): Promise<number> {
  const source = text
    .split('\n')
    .slice(0, -1)
    .map((t, line) => ({ line, text: t }));
  const bodies = planPush(source, { now: Date.now(), timestamps: 'as-written', sendErrors: true }).batches.map(
    requestBody,
  );
  const agent = new Agent({ connections: CONCURRENCY });
  const started = performance.now();
  let next = 0;
  let accepted = 0;
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const answer = await request(`${url}/api/v2/metrics/ingest`, {
        method: 'POST',
        body: bodies[i],
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        dispatcher: agent,
      });
      const body = (await answer.body.json()) as { linesOk: number };
      if (answer.statusCode !== 202)
        throw new Error(`raw push: ${answer.statusCode} ${JSON.stringify(body).slice(0, 500)}`);
      accepted += body.linesOk;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  await agent.close();
  if (accepted !== expectedLines) throw new Error(`raw push: ${accepted} of ${expectedLines} accepted`);
  return ms;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
