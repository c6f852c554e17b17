import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // The protocol core is pure: no IO, no clock, no editor types (ARCHITECTURE.md, invariant 1).
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'vscode', 'vscode-*', 'undici', 'http', 'https'] }],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'fetch', 'setTimeout', 'setInterval'],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now' }],
    },
  },
  {
    // Text from a tenant reaches VS Code inert (client/src/notifier.ts): notifications and dialogs render
    // [text](command:…) as a link that runs the command; Markdown renders links and HTML.
    files: ['client/src/**/*.ts'],
    ignores: ['client/src/query/webview/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression[callee.property.name=/^show(Error|Warning|Information)Message$/]', message: 'Show messages through the Notifier (client/src/notifier.ts): it makes tenant text inert.' },
        { selector: "NewExpression[callee.property.name='Diagnostic']", message: 'Make diagnostics with tenant text through tenantDiagnostic (client/src/push/tenant-diagnostics.ts), which makes it inert.' },
        { selector: "NewExpression[callee.property.name='MarkdownString'], CallExpression[callee.property.name='appendMarkdown'], AssignmentExpression > MemberExpression.left[property.name=/^(isTrusted|supportHtml)$/]", message: 'Markdown renders links (command: ones too) and HTML: show plain text, or inert() text with appendText.' },
      ],
    },
  },
  {
    // The results panel shows strings from a tenant: as text only, never parsed as HTML.
    files: ['client/src/query/webview/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[property.name=/^(innerHTML|outerHTML)$/]", message: 'Set text with textContent: tenant strings are never HTML.' },
        { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln|createContextualFragment)$/]", message: 'Build elements with createElement and textContent.' },
      ],
    },
  },
);
