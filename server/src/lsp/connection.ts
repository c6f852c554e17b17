/**
 * The connection to the client, on the transport named on the command line (`--stdio`, `--node-ipc`, `--socket`,
 * `--pipe`), and a count of the messages handled so far, which tells background work when the client is quiet.
 *
 * Output: over stdio, sockets and pipes, vscode-jsonrpc's writer resolves a write once the stream has taken it. Its
 * Node IPC writer (how the VS Code extension starts the server) resolves at once, so a client that does not read
 * would let notifications pile up unseen; FlushedIpcWriter resolves once Node has written the message to the channel.
 *
 * Input: vscode-jsonrpc reads whatever arrives and queues it, handling one message per turn of the event loop, so a
 * client that writes faster than that fills the server's memory and puts every request behind the backlog. Over
 * stdio, reading pauses while messages have been waiting for BACKLOG_TURNS turns and resumes once the queue is empty:
 * the pipe then holds the client back. (Node's IPC channel and the library's own sockets cannot be paused.)
 */
import {
  AbstractMessageWriter,
  createConnection,
  IPCMessageReader,
  ProposedFeatures,
  type Message,
  type MessageStrategy,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { quietTurn } from './slices.ts';

class FlushedIpcWriter extends AbstractMessageWriter implements MessageWriter {
  constructor() {
    super();
    process.on('error', (error) => this.fireError(error));
  }

  write(message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      const send = process.send?.bind(process);
      if (!send) return reject(new Error('no IPC channel'));
      send(message, undefined, undefined, (error: Error | null) => {
        if (!error) return resolve();
        this.fireError(error, message);
        reject(error);
      });
    });
  }

  end(): void {}
}

/** Turns in a row with a message handled in each, after which reading pauses: a backlog, not a burst of a few. */
const BACKLOG_TURNS = 16;

/** Pauses `input` while messages keep waiting; `handled` counts the messages handled so far. */
function holdBack(input: NodeJS.ReadStream, handled: () => number): () => void {
  let watching = false;
  return () => {
    if (watching) return;
    watching = true;
    let paused = false;
    void quietTurn(handled, (busyTurns) => {
      if (busyTurns === BACKLOG_TURNS) {
        input.pause();
        paused = true;
      }
    }).then(() => {
      if (paused) input.resume();
      watching = false;
    });
  };
}

export function createServerConnection() {
  let handled = 0;
  const stdio = process.argv.includes('--stdio');
  const watchInput = stdio ? holdBack(process.stdin, () => handled) : () => {};
  const messageStrategy: MessageStrategy = {
    handleMessage: (message, next) => {
      handled++;
      watchInput();
      return next(message);
    },
  };
  const options = { messageStrategy };
  const connection = process.argv.includes('--node-ipc')
    ? createConnection(ProposedFeatures.all, new IPCMessageReader(process), new FlushedIpcWriter(), options)
    : createConnection(ProposedFeatures.all, options);
  return { connection, messagesHandled: () => handled };
}
