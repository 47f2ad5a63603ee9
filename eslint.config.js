// Side effects on the host live in src/sys/ (and the servers that own sockets); everything else
// stays pure so that plans can be tested without root. The rule enforces that boundary.
import tseslint from 'typescript-eslint';

const sideEffects = ['node:child_process', 'child_process', 'node:net', 'net', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'node:dgram', 'dgram'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/sys/**', 'src/cni/agent/**', 'src/cni/store/**', 'src/lab/agnhost/**', 'src/lab/daemon/**',
      'src/cli/**', 'src/**/*.test.ts', 'src/**/*.test-util.ts', 'src/**/server*.ts', 'src/**/*-main.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: sideEffects.map((name) => ({ name, message: 'Side effects belong in src/sys/ (or a server module).' })) }],
    },
  },
);
