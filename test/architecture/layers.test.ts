// The arrows of ARCHITECTURE.md are enforced by `npm run lint`: each case is an import written into a file of a layer,
// and whether ESLint (with the project's own configuration) refuses it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();

const CASES: { file: string; source: string; refused: boolean }[] = [
  // The core reaches nothing of ours outside it, and no IO.
  { file: 'server/src/core/lint.ts', source: "import './rules.ts';", refused: false },
  { file: 'server/src/core/metrics/evaluate.ts', source: "import '../rules.ts';", refused: false },
  { file: 'server/src/core/lint.ts', source: "import '#http/client.ts';", refused: true },
  { file: 'server/src/core/lint.ts', source: "import '../http/client.ts';", refused: true },
  { file: 'server/src/core/metrics/evaluate.ts', source: "import '../../tenant/server.ts';", refused: true },
  { file: 'server/src/core/lint.ts', source: "import 'node:fs';", refused: true },
  { file: 'server/src/core/lint.ts', source: "import '#core/rules.ts';", refused: true },
  // The HTTP client: the core and the edges' errors only.
  { file: 'server/src/http/push.ts', source: "import '#core/push/plan.ts';", refused: false },
  { file: 'server/src/http/push.ts', source: "import '#edge/errors.ts';", refused: false },
  { file: 'server/src/http/push.ts', source: "import '#cli/output.ts';", refused: true },
  { file: 'server/src/http/push.ts', source: "import '#tenant/server.ts';", refused: true },
  // The local tenant never reaches the CLI, the HTTP client or the language server.
  { file: 'server/src/tenant/server.ts', source: "import '#core/metrics/ingest.ts';", refused: false },
  { file: 'server/src/tenant/server.ts', source: "import '#http/client.ts';", refused: true },
  // The language server: the core and the typed protocol.
  { file: 'server/src/lsp/server.ts', source: "import '#protocol';", refused: false },
  { file: 'server/src/lsp/server.ts', source: "import '#http/query.ts';", refused: true },
  { file: 'server/src/lsp/server.ts', source: "import '../cli/main.ts';", refused: true },
  // The CLI: the core, the HTTP client, the tenant (serve).
  { file: 'server/src/cli/main.ts', source: "import '#tenant/server.ts';", refused: false },
  { file: 'server/src/cli/main.ts', source: "import '#lsp/server.ts';", refused: true },
  // The extension: the core, the HTTP client and the typed protocol; never the CLI, the tenant or the language server.
  { file: 'client/src/environments/environments.ts', source: "import '#http/client.ts';", refused: false },
  { file: 'client/src/environments/environments.ts', source: "import '../notifier.ts';", refused: false },
  { file: 'client/src/environments/environments.ts', source: "import '#cli/options.ts';", refused: true },
  {
    file: 'client/src/environments/environments.ts',
    source: "import '../../../server/src/cli/options.ts';",
    refused: true,
  },
  { file: 'client/src/extension.ts', source: "import '#tenant/server.ts';", refused: true },
  { file: 'client/src/extension.ts', source: "import '#lsp/server.ts';", refused: true },
  { file: 'client/src/extension.ts', source: "import '#protocol';", refused: false },
  // The results panel's webview shares only the typed messages.
  { file: 'client/src/query/webview/main.ts', source: "import '../messages.ts';", refused: false },
  { file: 'client/src/query/webview/main.ts', source: "import '../model.ts';", refused: true },
  { file: 'client/src/query/webview/main.ts', source: "import '#core/rules.ts';", refused: true },
  // The protocol module stands alone but for the core's types (erased: no core code loads with the messages); the
  // edges' errors stand alone.
  { file: 'server/src/protocol.ts', source: "import '#core/rules.ts';", refused: true },
  { file: 'server/src/protocol.ts', source: "import { LIMITS } from '#core/rules.ts';", refused: true },
  { file: 'server/src/protocol.ts', source: "import type { Limits } from '#core/rules.ts';", refused: false },
  { file: 'server/src/protocol.ts', source: "import type { X } from '#http/query.ts';", refused: true },
  { file: 'server/src/edge/errors.ts', source: "import '#cli/options.ts';", refused: true },
];

for (const { file, source, refused } of CASES) {
  test(`${file}: ${source} is ${refused ? 'refused' : 'allowed'}`, async () => {
    const [result] = await eslint.lintText(source, { filePath: file });
    assert.ok(result);
    const layerMessages = result.messages
      .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports')
      .map((m) => m.message);
    assert.equal(layerMessages.length > 0, refused, layerMessages.join('\n') || 'no finding');
  });
}
