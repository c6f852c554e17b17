/** Buffered writes to standard output that respect back-pressure, so output never piles up in memory. */
import { once } from 'node:events';

export class Output {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    readonly color: boolean,
  ) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  /** Hands buffered text to the stream once enough has gathered, waiting while the stream is full. */
  async drain(force = false): Promise<void> {
    if (this.size === 0 || (!force && this.size < 1 << 16)) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}

/** Colour only on a terminal, and never when NO_COLOR is set; FORCE_COLOR turns it on. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
