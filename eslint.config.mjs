// Lint: typescript-eslint's recommended rules everywhere; in lib/ (the published code) no `any`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'cdktf.out/**', 'docs/**', 'test/types/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // the CDK is named in lib/core/cdk.ts alone: the cdktn build rebinds that one module
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'cdktf', message: 'import CDK names from lib/core/cdk.ts (the cdktf-netns/cdktn build rebinds that file alone)' },
            { name: 'cdktn', message: 'import CDK names from lib/core/cdk.ts' },
          ],
        },
      ],
    },
  },
  { files: ['lib/core/cdk.ts'], rules: { 'no-restricted-imports': 'off' } },
);
