import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// defineConfig from ESLint core: typescript-eslint deprecated its own ts.config() for it.
export default defineConfig(
  {
    ignores: [
      'build/',
      '.svelte-kit/',
      'node_modules/',
      'data/',
      'test-results/',
      'playwright-report/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      // noUncheckedIndexedAccess types every indexed read as possibly undefined;
      // bounds-checked loops (heaps, sorted arrays) assert with `!` instead.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  {
    // Layering (STYLE.md point 10): protocol/ is free of I/O and imports neither side.
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/signal/**',
            '**/app/**',
            'uWebSockets.js',
            'ws',
            'better-sqlite3',
            'node:*',
          ],
        },
      ],
    },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['uWebSockets.js', 'ws', 'better-sqlite3'],
              message: 'app/ runs in the browser.',
            },
            // The service's top-level signal/ folder, reached by climbing out of
            // app/lib or app/routes; app/lib/signal (the client) stays allowed.
            {
              regex: '^(\\.\\./){2,}signal(/|$)',
              message: 'app/ must not import the signal service.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['signal/**/*.ts'],
    rules: {
      // One exception: the emails render messages with the app's own plain-TypeScript
      // renderer (message-html.ts), so a message reads the same in the chat and the email.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['svelte', 'svelte/*'], message: 'signal/ never imports Svelte.' },
            {
              regex: '(^|/)app/(?!lib/messages/message-html\\.ts$)',
              message: 'signal/ must not import app/.',
            },
          ],
        },
      ],
    },
  },
  {
    // F12, F13: message links point to other sites that peers wrote (checked to http(s)
    // or mailto in message-format.ts) and attachment links to blob: URLs, never to the
    // app's routes, so resolve() has no part in them. F24: the forum link is an admin's
    // setting (FORUM_URL, checked to http(s)), another site too.
    files: [
      'app/lib/messages/FormattedText.svelte',
      'app/lib/messages/AttachmentView.svelte',
      'app/routes/widget/AfterChat.svelte',
    ],
    rules: { 'svelte/no-navigation-without-resolve': 'off' },
  },
  {
    files: ['tests/**/*.{ts,mjs}', '*.config.{js,ts}'],
    rules: { 'no-console': 'off' },
  },
);
