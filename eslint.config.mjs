import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of ARCHITECTURE.md and the arrows between them. A layer reaches another only through its subpath
 * import (`#core/…`, package.json "imports") and only where an arrow says so; relative imports stay inside their
 * layer. Tests, benchmarks and scripts may import any layer.
 */
const LAYERS = [
  { name: 'the protocol core', dir: 'server/src/core', may: [] },
  { name: "the edges' shared errors", dir: 'server/src/edge', may: [] },
  { name: 'the custom LSP messages', dir: 'server/src/protocol.ts', may: ['core (types only)'] },
  { name: 'the HTTP client', dir: 'server/src/http', may: ['core', 'edge'] },
  { name: 'the local tenant', dir: 'server/src/tenant', may: ['core', 'edge'] },
  { name: 'the language server', dir: 'server/src/lsp', may: ['core', 'edge', 'protocol'] },
  { name: 'the CLI', dir: 'server/src/cli', may: ['core', 'edge', 'http', 'tenant'] },
  { name: 'the VS Code extension', dir: 'client/src', may: ['core', 'edge', 'http', 'protocol'] },
];

/** Imports the protocol core may never use: it does no IO and knows no editor (invariant 1). */
const IO_MODULES = ['node:*', 'fs', 'path', 'vscode', 'vscode-*', 'undici', 'http', 'https'];

function layerRules() {
  return LAYERS.flatMap(({ name, dir, may }) => {
    const aliases = may.map((alias) => (alias === 'protocol' ? 'protocol$' : `${alias}\\/`));
    const wrongArrow = {
      regex: aliases.length ? `^#(?!${aliases.join('|')})` : '^#',
      message: `${name[0].toUpperCase()}${name.slice(1)} (${dir}) may import ${may.length ? may.map((a) => `#${a}`).join(', ') : 'no other layer'} (ARCHITECTURE.md, layers).`,
    };
    const outOfLayer = (depth) => ({
      regex: `^(\\.\\./){${depth + 1}}`,
      message: `Reach another layer through its subpath import (#core/…), and only where ${name} may (ARCHITECTURE.md, layers).`,
    });
    const isCore = dir === 'server/src/core';
    const restricted = (depth) => [
      'error',
      {
        patterns: [
          ...(isCore ? [{ group: IO_MODULES, message: 'The protocol core does no IO (invariant 1).' }] : []),
          wrongArrow,
          outOfLayer(depth),
        ],
      },
    ];
    if (dir.endsWith('.ts'))
      return [
        {
          files: [dir],
          rules: {
            '@typescript-eslint/no-restricted-imports': [
              'error',
              {
                patterns: [
                  { regex: '^#(?!core/)', message: wrongArrow.message },
                  // Types only: both sides share the core's figures' shapes, and no core code loads with the messages.
                  {
                    regex: '^#core/',
                    message: `${wrongArrow.message} Types only: 'import type'.`,
                    allowTypeImports: true,
                  },
                  { regex: '^\\.', message: wrongArrow.message },
                ],
              },
            ],
          },
        },
      ];
    return [
      { files: [`${dir}/*.ts`], rules: { 'no-restricted-imports': restricted(0) } },
      { files: [`${dir}/*/*.ts`], rules: { 'no-restricted-imports': restricted(1) } },
      { files: [`${dir}/*/*/*.ts`], rules: { 'no-restricted-imports': restricted(2) } },
      ...(isCore
        ? [
            {
              // The protocol core is pure: no IO, no clock, no editor types (ARCHITECTURE.md, invariant 1).
              files: [`${dir}/**/*.ts`],
              rules: {
                'no-restricted-globals': ['error', 'process', 'Buffer', 'fetch', 'setTimeout', 'setInterval'],
                'no-restricted-properties': ['error', { object: 'Date', property: 'now' }],
              },
            },
          ]
        : []),
    ];
  });
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.vscode-test/', 'bench/.data/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  ...layerRules(),
  {
    // Text from a tenant reaches VS Code inert (client/src/notifier.ts): notifications and dialogs render
    // [text](command:…) as a link that runs the command; Markdown renders links and HTML.
    files: ['client/src/**/*.ts'],
    ignores: ['client/src/query/webview/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^show(Error|Warning|Information)Message$/]',
          message: 'Show messages through the Notifier (client/src/notifier.ts): it makes tenant text inert.',
        },
        {
          selector: "NewExpression[callee.property.name='Diagnostic']",
          message:
            'Make diagnostics with tenant text through tenantDiagnostic (client/src/push/tenant-diagnostics.ts), which makes it inert.',
        },
        {
          selector:
            "NewExpression[callee.property.name='MarkdownString'], CallExpression[callee.property.name='appendMarkdown'], AssignmentExpression > MemberExpression.left[property.name=/^(isTrusted|supportHtml)$/]",
          message:
            'Markdown renders links (command: ones too) and HTML: show plain text, or inert() text with appendText.',
        },
      ],
    },
  },
  {
    // The results panel shows strings from a tenant: as text only, never parsed as HTML.
    files: ['client/src/query/webview/**/*.ts'],
    rules: {
      // A browser page: it shares only the typed messages with the extension (invariant 4).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^#|^\\.\\./(?!messages\\.ts$)',
              message: 'The webview imports only ../messages.ts of ours (ARCHITECTURE.md, layers).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[property.name=/^(innerHTML|outerHTML)$/]',
          message: 'Set text with textContent: tenant strings are never HTML.',
        },
        {
          selector:
            'CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment)$/]',
          message: 'Build elements with createElement and textContent.',
        },
      ],
    },
  },
);
