// podnet/layering: which src folder may import which (the table is in eslint.config.js).
//
// Why a rule of our own rather than a stock one: `no-restricted-imports` matches the text of a
// specifier, and with relative imports `../netpol/x.js` names src/netpol from src/api/ but
// src/api/netpol from src/api/sub/, so a table of folders needs one pattern list per depth and still
// misses `../api/../netpol`. eslint-plugin-import-x's `no-restricted-paths` resolves paths properly
// but needs a TypeScript resolver for `.js` specifiers of `.ts` files and silently skips an import it
// cannot resolve. This rule resolves the specifier against the file's own path (no file system, so
// it judges a virtual file as it judges a real one) and looks both folders up in the table.
import path from 'node:path';

/**
 * @typedef {{ may: string[], why: string }} Layer
 * @typedef {{
 *   src: string,
 *   layers: Record<string, Layer>,
 *   effects: { layers: string[], files: string, why: string },
 *   testOnly: { layers: string[], files: string, why: string },
 * }} Options
 */

/** The layer of a path relative to src: its first folder, or '' for a file directly in src. */
function layerOf(rel) {
  const slash = rel.indexOf('/');
  return slash < 0 ? '' : rel.slice(0, slash);
}

const show = (layer) => (layer === '' ? 'src/*.ts' : `src/${layer}`);

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Imports between src folders point one way (README "Contributing")' },
    schema: false,
    messages: {
      back: '{{from}} may not import {{to}} ({{spec}}): {{why}}',
      outside: '{{from}} may not import {{spec}}: src imports nothing outside src but packages',
      unplaced: '{{folder}} is not in the layering table (eslint.config.js): add it with the folders it may import',
      effect: '{{file}} may not import src/sys ({{spec}}): {{why}}',
      testOnly: '{{file}} may not import {{to}} ({{spec}}): {{why}}',
    },
  },
  create(context) {
    /** @type {Options} */
    const opts = context.options[0];
    const src = path.resolve(context.cwd, opts.src);
    const file = path.resolve(context.cwd, context.filename);
    const rel = path.relative(src, file).split(path.sep).join('/');
    if (rel.startsWith('../') || path.isAbsolute(rel)) return {}; // test/, bench/: above every layer
    const from = layerOf(rel);
    const layer = opts.layers[from];
    const effectsOk = !opts.effects.layers.includes(from) || new RegExp(opts.effects.files).test(rel);
    const testOk = new RegExp(opts.testOnly.files).test(rel);

    function check(node, spec) {
      if (typeof spec !== 'string' || !(spec.startsWith('./') || spec.startsWith('../'))) return; // packages, node:*
      const target = path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
      if (target.startsWith('../') || path.isAbsolute(target)) {
        context.report({ node, messageId: 'outside', data: { from: show(from), spec } });
        return;
      }
      const to = layerOf(target);
      if (!layer) return; // reported once, on the file
      if (to === from) return;
      if (!(to in opts.layers)) {
        context.report({ node, messageId: 'unplaced', data: { folder: show(to) } });
      } else if (opts.testOnly.layers.includes(to)) {
        // Test helpers are below every layer's tests and in no layer's code.
        if (!testOk) context.report({ node, messageId: 'testOnly', data: { file: `src/${rel}`, to: show(to), spec, why: opts.testOnly.why } });
      } else if (!layer.may.includes(to)) {
        context.report({ node, messageId: 'back', data: { from: show(from), to: show(to), spec, why: layer.why } });
      } else if (to === 'sys' && !effectsOk) {
        context.report({ node, messageId: 'effect', data: { file: `src/${rel}`, spec, why: opts.effects.why } });
      }
    }
    const fromSource = (node) => check(node.source, node.source?.value);

    return {
      Program(node) {
        if (!layer) context.report({ node, messageId: 'unplaced', data: { folder: show(from) } });
      },
      ImportDeclaration: fromSource, // also `import type`: a type is still an arrow
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node.source, node.source.value);
        else if (node.source.type === 'TemplateLiteral' && node.source.expressions.length === 0) check(node.source, node.source.quasis[0].value.cooked);
      },
      TSImportType: fromSource, // `import('../x.js').T` in a type
      TSExternalModuleReference(node) { // `import x = require('../x.js')`
        check(node.expression, node.expression.value);
      },
    };
  },
};
