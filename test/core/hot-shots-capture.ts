/**
 * hot-shots as a real StatsD producer for the tests: a client pointed at a UDP socket of the test's own, and every
 * datagram it sent, as received. How many datagrams a sample rate let through is hot-shots' own affair, so a last
 * datagram (END), sent once `send` has made its calls, marks the end: one socket to another on loopback keeps
 * order. It is not in the datagrams handed back.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import StatsDClient, { type ClientOptions, type StatsD } from 'hot-shots';
import { waitFor } from '../tenant/helpers.ts';

const END = 'hot_shots_capture.end';

export async function captureHotShots(options: ClientOptions, send: (client: StatsD) => void): Promise<string[]> {
  const received: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message) =>
    received.push(
      ...message
        .toString('utf8')
        .split('\n')
        .filter((d) => d !== ''),
    ),
  );
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const client = new StatsDClient({
    ...options,
    host: '127.0.0.1',
    port: socket.address().port,
    errorHandler: (error) => assert.fail(error),
  });
  try {
    send(client);
    client.increment(END);
    await waitFor(
      'the last datagram',
      10_000,
      () => received.some((d) => d.startsWith(`${END}:`)) || null,
      undefined,
      () => received.join('\n'),
    );
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    socket.close();
  }
  return received.filter((d) => !d.startsWith(`${END}:`));
}
