// Two boundaries, kept by lint rather than by memory so that crossing one fails `npm test`:
// - side effects on the host live in src/sys/ (and the servers that own sockets); everything else
//   stays pure so that plans can be tested without root;
// - imports between src folders point one way (README "Contributing", /work/shared/ARCHITECTURE.md):
//   cli -> lab, agent, apiserver -> components -> l7 -> store -> api.
import tseslint from 'typescript-eslint';
import layering from './eslint-rules/layering.js';

const sideEffects = ['node:child_process', 'child_process', 'node:net', 'net', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises', 'node:dgram', 'dgram'];

// The components: each one folder, each pipeline objects -> plan -> apply. They may use one another
// (a gateway reads Services), never what is built on them.
const COMPONENTS = ['cni', 'services', 'dns', 'netpol', 'gateway', 'mesh', 'telemetry'];
const BELOW_COMPONENTS = ['api', 'store', 'sys', 'l7'];
// '' is a file directly in src/ (src/kinds.ts): it assembles the components for the entry points.
const ENTRY = ['', ...BELOW_COMPONENTS, ...COMPONENTS];

/** Folder -> the other src folders it may import, and the reason a refused import is shown. Folders that do not exist yet are here so they are covered when they land. */
const LAYERS = {
  api: { may: [], why: 'api is the foundation and imports no other src folder; a component registers its kinds with it (KindDefinition, assembled in src/kinds.ts) instead of api importing the component' },
  store: { may: ['api'], why: 'store imports only api' },
  sys: { may: [], why: 'sys (the side effects) imports no other src folder' },
  testing: { may: ['api', 'store', 'sys'], why: 'test helpers sit below everything they test' },
  l7: { may: ['api', 'store', 'sys'], why: 'l7 is the proxy core under gateway and mesh and imports no component' },
  ...Object.fromEntries(COMPONENTS.map((c) => [c, { may: [...BELOW_COMPONENTS, ...COMPONENTS], why: `${c} is a component: it imports no cli, lab, agent, apiserver or src/*.ts (they are built on it)` }])),
  '': { may: [...BELOW_COMPONENTS.filter((l) => l !== 'sys'), ...COMPONENTS], why: 'src/*.ts assembles components for the entry points and imports none of them' },
  apiserver: { may: ENTRY, why: 'apiserver serves the store; the lab, agents and cli use it, not the other way' },
  agent: { may: ENTRY, why: 'a node agent runs against any API server (the lab\'s or a real one): it imports no lab, apiserver or cli' },
  lab: { may: [...ENTRY, 'agent', 'apiserver'], why: 'lab imports no cli (the cli is a thin shell over lab)' },
  cli: { may: [...ENTRY, 'agent', 'apiserver', 'lab'], why: 'cli may import every layer' },
};

const LAYERING = {
  src: 'src',
  layers: LAYERS,
  // Only apply steps (and servers, mains, the CNI plugin's verbs and on-host stores) touch the host;
  // plans stay pure functions tested without root. Paths are relative to src/.
  effects: {
    layers: [...COMPONENTS, 'l7'],
    files: String.raw`(^|/)(apply|[^/]*-apply|server[^/]*|[^/]*-main)\.ts$|\.test\.ts$|\.test-util\.ts$|^cni/(agent|store|verbs)/|^cni/exec-plugin\.ts$`,
    why: 'only apply steps, servers and mains import src/sys; plans stay pure (name the file apply.ts or *-apply.ts)',
  },
  testOnly: { layers: ['testing'], files: String.raw`\.test(-util)?\.ts$`, why: 'src/testing is for tests (*.test.ts, *.test-util.ts) only' },
};

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
  {
    files: ['src/**/*.ts'],
    plugins: { podnet: { rules: { layering } } },
    rules: { 'podnet/layering': ['error', LAYERING] },
  },
);
