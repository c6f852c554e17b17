/**
 * Malformed messages to the built language server, over every handler it has: each is refused (a request with an
 * InvalidParams error, a notification with a one-line warning in the client's log) or answered as far as it makes
 * sense, and the server stays alive and right. Edits at odd positions must leave the server's text as an editor's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  Diagnostic,
  LogMessageParams,
  ResponseMessage,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { ValidatedNotification, WorkspaceKeysRequest } from '#protocol';
import { applyChange, codes, didChange, didOpen, expectedCodes, freshUri, RawClient } from './harness.ts';

const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;

const range = (line: unknown, character: unknown) => ({ start: { line, character }, end: { line, character } });

describe('language server, malformed messages', () => {
  let c: RawClient;
  /** An open document whose diagnostics are known, and its version. */
  const good = freshUri();
  let version = 1;

  before(async () => {
    c = await RawClient.start(false);
    c.write(didOpen(good, 'cache.size,cache=myCache,cacheM 5\n'));
    await c.published(good, 1);
  });
  after(async () => assert.equal(await c.stop(), 0, 'the server survived every message and exits cleanly'));

  /** Alive and right: an edit to the good document is linted and published, and a hover is answered. */
  async function assertAnswering(what: string): Promise<void> {
    version++;
    c.write(didChange(good, version, 0, 32, 33, String(version % 10)));
    const ds = await c
      .published(good, version)
      .catch((error: unknown) => assert.fail(`after ${what}: ${String(error)}`));
    assert.deepEqual(codes(ds), ['DK001@0:30-31', 'DK008@0:25-31'], `after ${what}`);
    const hover = await c.answer(
      c.request('textDocument/hover', { textDocument: { uri: good }, position: { line: 0, character: 30 } }),
    );
    assert.match(JSON.stringify(hover.result), /DK001/, `after ${what}`);
  }

  /** Notifications the server must refuse with a warning naming the method, and survive. */
  const refusedNotifications: Array<[string, string, unknown]> = [
    [
      'didOpen without text',
      'textDocument/didOpen',
      { textDocument: { uri: freshUri(), languageId: 'dtmetrics', version: 1 } },
    ],
    [
      'didOpen with text 42',
      'textDocument/didOpen',
      { textDocument: { uri: freshUri(), languageId: 'dtmetrics', version: 1, text: 42 } },
    ],
    ['didOpen without textDocument', 'textDocument/didOpen', {}],
    [
      'didOpen with a number for a URI',
      'textDocument/didOpen',
      { textDocument: { uri: 7, languageId: 'dtmetrics', version: 1, text: 'a 1' } },
    ],
    [
      'didOpen with version "one"',
      'textDocument/didOpen',
      { textDocument: { uri: freshUri(), languageId: 'dtmetrics', version: 'one', text: 'a 1' } },
    ],
    ['didOpen with params null', 'textDocument/didOpen', null],
    ['didOpen with params by position', 'textDocument/didOpen', [1, 2]],
    [
      'didChange of a document never opened',
      'textDocument/didChange',
      { textDocument: { uri: freshUri(), version: 2 }, contentChanges: [{ text: 'a 1' }] },
    ],
    ['didChange without contentChanges', 'textDocument/didChange', { textDocument: { uri: good, version: 99 } }],
    [
      'didChange with contentChanges not a list',
      'textDocument/didChange',
      { textDocument: { uri: good, version: 99 }, contentChanges: 'x' },
    ],
    [
      'didChange with text 42',
      'textDocument/didChange',
      { textDocument: { uri: good, version: 99 }, contentChanges: [{ text: 42 }] },
    ],
    [
      'didChange at a negative line',
      'textDocument/didChange',
      { textDocument: { uri: good, version: 99 }, contentChanges: [{ range: range(-1, 0), text: 'x' }] },
    ],
    [
      'didChange at character "x"',
      'textDocument/didChange',
      { textDocument: { uri: good, version: 99 }, contentChanges: [{ range: range(0, 'x'), text: 'x' }] },
    ],
    [
      'didChange with range null',
      'textDocument/didChange',
      { textDocument: { uri: good, version: 99 }, contentChanges: [{ range: null, text: 'x' }] },
    ],
    [
      'didChange, one good change and one bad: neither applied',
      'textDocument/didChange',
      { textDocument: { uri: good, version: 99 }, contentChanges: [{ range: range(0, 0), text: 'x' }, { text: null }] },
    ],
    [
      'didChange without a version',
      'textDocument/didChange',
      { textDocument: { uri: good }, contentChanges: [{ range: range(0, 0), text: 'x' }] },
    ],
    ['didClose of a document never opened', 'textDocument/didClose', { textDocument: { uri: freshUri() } }],
    ['didClose without textDocument', 'textDocument/didClose', { uri: good }],
    ['didChangeWatchedFiles without changes', 'workspace/didChangeWatchedFiles', {}],
    [
      'didChangeWatchedFiles with a change of type 4',
      'workspace/didChangeWatchedFiles',
      { changes: [{ uri: freshUri(), type: 4 }] },
    ],
    ['didChangeWatchedFiles with a null URI', 'workspace/didChangeWatchedFiles', { changes: [{ uri: null, type: 2 }] }],
  ];

  for (const [what, method, params] of refusedNotifications) {
    test(`refused: ${what}`, async () => {
      const logged = c.notifications('window/logMessage').length;
      c.write({ method, params });
      await assertAnswering(what);
      const warnings = c
        .notifications<LogMessageParams>('window/logMessage')
        .slice(logged)
        .map((n) => n.params);
      const warning = warnings.find((w) => w.type === 2 && w.message.includes(method));
      assert.ok(warning, `a warning naming ${method}; got ${JSON.stringify(warnings)}`);
      assert.doesNotMatch(warning.message, /\n|\bat .*\.js:\d+/, 'one line, no stack trace');
    });
  }

  /** Messages the server survives without a word of its own: not messages at all, or none of its business. */
  const ignored: Array<[string, object | string]> = [
    ['a body that is not JSON', 'not json!'],
    ['a JSON body that is not a message', '{}'],
    ['a notification of an unknown method', { method: 'dtmetrics/nothing', params: { x: 1 } }],
    [
      'its own notification sent back to it',
      { method: ValidatedNotification.method, params: { uri: good, version: 'x' } },
    ],
    ['$/cancelRequest for no request', { method: '$/cancelRequest', params: { id: 'nope' } }],
    ['$/cancelRequest without params', { method: '$/cancelRequest' }],
    ['didChangeConfiguration with params null', { method: 'workspace/didChangeConfiguration', params: null }],
    [
      'didChangeConfiguration with settings of any shape',
      { method: 'workspace/didChangeConfiguration', params: { settings: [1, 'two'] } },
    ],
    [
      'didSave, which the server does not ask for',
      { method: 'textDocument/didSave', params: { textDocument: { uri: null } } },
    ],
    [
      'a watched file changed that is no file of the workspace',
      {
        method: 'workspace/didChangeWatchedFiles',
        params: {
          changes: [
            { uri: 'untitled:x', type: 2 },
            { uri: 'file:///nowhere/x.dtmetrics', type: 3 },
          ],
        },
      },
    ],
  ];

  for (const [what, message] of ignored) {
    test(`survived: ${what}`, async () => {
      c.write(message);
      await assertAnswering(what);
    });
  }

  const position = { line: 0, character: 1 };
  const diagnostic = { range: range(0, 30), message: 'm', source: 'dtmetrics', code: 'DK001' };
  /** Requests refused with InvalidParams. */
  const refusedRequests: Array<[string, string, unknown]> = [
    ['hover without a position', 'textDocument/hover', { textDocument: { uri: good } }],
    [
      'hover with line "0"',
      'textDocument/hover',
      { textDocument: { uri: good }, position: { line: '0', character: 1 } },
    ],
    [
      'hover at a negative character',
      'textDocument/hover',
      { textDocument: { uri: good }, position: { line: 0, character: -3 } },
    ],
    ['hover without textDocument', 'textDocument/hover', { position }],
    ['hover with params null', 'textDocument/hover', null],
    ['completion with position null', 'textDocument/completion', { textDocument: { uri: good }, position: null }],
    [
      'completion at a fractional line',
      'textDocument/completion',
      { textDocument: { uri: good }, position: { line: 0.5, character: 0 } },
    ],
    [
      'codeAction without a range',
      'textDocument/codeAction',
      { textDocument: { uri: good }, context: { diagnostics: [] } },
    ],
    ['codeAction without a context', 'textDocument/codeAction', { textDocument: { uri: good }, range: range(0, 0) }],
    [
      'codeAction with diagnostics not a list',
      'textDocument/codeAction',
      { textDocument: { uri: good }, range: range(0, 0), context: { diagnostics: {} } },
    ],
    [
      'codeAction with a diagnostic without a range',
      'textDocument/codeAction',
      { textDocument: { uri: good }, range: range(0, 0), context: { diagnostics: [{ message: 'm' }] } },
    ],
    ['documentSymbol without textDocument', 'textDocument/documentSymbol', {}],
    ['foldingRange with a number for a URI', 'textDocument/foldingRange', { textDocument: { uri: 5 } }],
    ['formatting with params null', 'textDocument/formatting', null],
    ['diagnostic without textDocument', 'textDocument/diagnostic', {}],
    ['workspaceKeys without a limit', WorkspaceKeysRequest.method, {}],
    ['workspaceKeys with limit "5"', WorkspaceKeysRequest.method, { limit: '5' }],
    ['workspaceKeys with a negative limit', WorkspaceKeysRequest.method, { limit: -1 }],
  ];

  for (const [what, method, params] of refusedRequests) {
    test(`refused: ${what}`, async () => {
      const answer = await c.answer(c.request(method, params));
      assert.equal(answer.error?.code, INVALID_PARAMS, `${what}: ${JSON.stringify(answer)}`);
      assert.ok(answer.error.message.includes(method) && !answer.error.message.includes('\n'), answer.error.message);
      await assertAnswering(what);
    });
  }

  /** Requests well formed but odd: answered, as far as they make sense. */
  const answered: Array<[string, string, unknown, (answer: ResponseMessage) => boolean]> = [
    [
      'hover far past the end',
      'textDocument/hover',
      { textDocument: { uri: good }, position: { line: 1e6, character: 1e6 } },
      (a) => a.result === null,
    ],
    [
      'hover on a document never opened',
      'textDocument/hover',
      { textDocument: { uri: freshUri() }, position },
      (a) => a.result === null,
    ],
    [
      'completion far past the end',
      'textDocument/completion',
      { textDocument: { uri: good }, position: { line: 1e6, character: 0 } },
      (a) => Array.isArray(a.result),
    ],
    [
      'codeAction with a forged fix: no action from it',
      'textDocument/codeAction',
      {
        textDocument: { uri: good },
        range: range(0, 30),
        context: { diagnostics: [{ ...diagnostic, data: { fix: { title: 't', edits: 'no' } } }] },
      },
      (a) => Array.isArray(a.result) && a.result.length === 0,
    ],
    [
      'codeAction with a fix whose edit has no text',
      'textDocument/codeAction',
      {
        textDocument: { uri: good },
        range: range(0, 30),
        context: { diagnostics: [{ ...diagnostic, data: { fix: { title: 't', edits: [{ start: 1, end: 2 }] } } }] },
      },
      (a) => Array.isArray(a.result) && a.result.length === 0,
    ],
    [
      'codeAction with a forged timestamp',
      'textDocument/codeAction',
      {
        textDocument: { uri: good },
        range: range(0, 30),
        context: { diagnostics: [{ ...diagnostic, code: 'TS003', data: { timestamp: 'now' } }] },
      },
      (a) => Array.isArray(a.result) && a.result.length === 0,
    ],
    [
      'codeAction far past the end',
      'textDocument/codeAction',
      { textDocument: { uri: good }, range: range(1e6, 1e6), context: { diagnostics: [] } },
      (a) => Array.isArray(a.result),
    ],
    [
      'documentSymbol of a document never opened',
      'textDocument/documentSymbol',
      { textDocument: { uri: freshUri() } },
      (a) => Array.isArray(a.result) && a.result.length === 0,
    ],
    [
      'formatting of a document never opened',
      'textDocument/formatting',
      { textDocument: { uri: freshUri() }, options: {} },
      (a) => Array.isArray(a.result) && a.result.length === 0,
    ],
    [
      'diagnostic of a document never opened',
      'textDocument/diagnostic',
      { textDocument: { uri: freshUri() } },
      (a) => JSON.stringify(a.result) === '{"kind":"full","items":[]}',
    ],
    [
      'workspaceKeys with limit 0',
      WorkspaceKeysRequest.method,
      { limit: 0 },
      (a) => JSON.stringify(a.result) === '{"keys":[]}',
    ],
    ['a request of an unknown method', 'dtmetrics/nothing', {}, (a) => a.error?.code === METHOD_NOT_FOUND],
  ];

  for (const [what, method, params, ok] of answered) {
    test(`answered: ${what}`, async () => {
      const answer = await c.answer(c.request(method, params));
      assert.ok(ok(answer), `${what}: ${JSON.stringify(answer).slice(0, 300)}`);
      await assertAnswering(what);
    });
  }

  /** What the client answers to workspace/configuration: anything but settings falls back to the defaults. */
  const configurations: Array<[string, (items: unknown[]) => unknown]> = [
    ['a number', () => 42],
    ['null', () => null],
    ['a list of null', (items) => items.map(() => null)],
    [
      'settings of the wrong types',
      (items) =>
        items.map(() => ({ severities: 'all', maxDiagnostics: -5, cardinalityBudget: 'many', timestampWindow: 7 })),
    ],
    [
      'unknown codes and severities',
      (items) => items.map(() => ({ severities: { DK001: 7, XX999: 'off', toString: 'off' } })),
    ],
  ];

  for (const [what, answer] of configurations) {
    test(`configuration answered with ${what}`, async () => {
      c.configuration = answer;
      c.write({ method: 'workspace/didChangeConfiguration', params: { settings: null } });
      await assertAnswering(`configuration ${what}`);
    });
  }

  test('configuration answered with an error', async () => {
    c.configuration = () => {
      throw new Error('no configuration here');
    };
    c.write({ method: 'workspace/didChangeConfiguration', params: { settings: null } });
    await assertAnswering('a configuration error');
    c.configuration = (items) => items.map(() => ({}));
  });
});

describe("language server, edits at odd places: its text stays the editor's", () => {
  let c: RawClient;
  before(async () => (c = await RawClient.start(false)));
  after(async () => assert.equal(await c.stop(), 0));

  const far = { line: 1e6, character: 1e6 };
  /** Each a list of edits (lists of changes) applied in turn, to the server and to the reference (harness.ts). */
  const cases: Array<[string, string, TextDocumentContentChangeEvent[][]]> = [
    [
      'past the end of a line and of the document',
      'a.b 1\nc.d 2\n',
      [
        [{ range: { start: { line: 0, character: 99 }, end: { line: 0, character: 99 } }, text: ',Host=x' }],
        [{ range: { start: far, end: far }, text: 'E.f 3' }],
      ],
    ],
    [
      'a range given end first',
      'a.b 1\nc.d 2\n',
      [[{ range: { start: { line: 1, character: 3 }, end: { line: 0, character: 1 } }, text: 'X' }]],
    ],
    [
      'a range reaching past the end',
      'a.b 1\nc.d 2\n',
      [[{ range: { start: { line: 0, character: 2 }, end: far }, text: 'Q 1\nr.s 2' }]],
    ],
    [
      'a line feed typed after a carriage return joins it into one line break',
      'a.b 1\rc.d 2\r',
      [[{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\nX.y 3\r' }]],
    ],
    [
      'a carriage return typed before a line feed',
      'a.b 1\nc.d 2\n',
      [
        [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 5 } }, text: '\r' }],
        [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'Z' }],
      ],
    ],
    [
      'a whole-text change between ranged ones',
      'a.b 1\n',
      [
        [
          { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'q' },
          { text: 'x.y 1\r\nBad.Key 2\r\n' },
          { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: 'b' },
        ],
      ],
    ],
    [
      'lines joined and split across CRLF',
      'a.b 1\r\nc.d 2\r\ne.f 3',
      [
        [{ range: { start: { line: 0, character: 5 }, end: { line: 2, character: 0 } }, text: '\n1x 2\r\n' }],
        [{ range: { start: { line: 2, character: 5 }, end: { line: 2, character: 5 } }, text: '\r\n\r\n' }],
      ],
    ],
  ];

  for (const [what, text, changes] of cases) {
    test(what, async () => {
      const uri = freshUri();
      let reference = text;
      c.write(didOpen(uri, text));
      let version = 1;
      for (const step of changes) {
        version++;
        for (const change of step) reference = applyChange(reference, change);
        c.write({ method: 'textDocument/didChange', params: { textDocument: { uri, version }, contentChanges: step } });
      }
      assert.deepEqual(codes(await c.published(uri, version)), expectedCodes(reference), JSON.stringify(reference));
    });
  }

  test("a version going backwards: the edit is applied (the text stays the editor's) and published with its version", async () => {
    const uri = freshUri();
    c.write(didOpen(uri, 'a.b 1\n', 5));
    await c.published(uri, 5);
    c.write(didChange(uri, 3, 0, 0, 0, ','));
    const ds: Diagnostic[] = await c.published(uri, 3);
    assert.deepEqual(codes(ds), expectedCodes(',a.b 1\n'));
    assert.ok(codes(ds).includes('MK001@0:0-1'));
  });
});
