import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'dist-testkit/', 'node_modules/', '.tools/', '.tarka/', 'console/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Best-effort cleanups (closing, deleting a temporary consumer) deliberately ignore errors.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // The test kit (fakes, service starters, fixtures) and tests/ stay out of the image: only tests
    // and the kit itself may import them.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/*.contract.ts', 'src/testkit/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)testkit(/|$)', message: 'src/testkit is for tests only; it is not in the image.' },
            {
              regex: '^(\\.\\.?/)+tests(/|$)',
              message: 'tests/ is not part of the image; move shared code into src/.',
            },
          ],
        },
      ],
    },
  },
);
