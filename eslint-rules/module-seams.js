/**
 * Local ESLint rule `module-seams`: every top-level directory of src/ is a module, and another module may
 * import it only through its face, `<module>/index.js` (docs/architecture.md, "Module seams"). A relative
 * import, `export ... from` or dynamic `import('...')` that reaches into another module's files is
 * reported with the import to use instead. Imports within one module, and of anything outside src/, are
 * not this rule's business.
 *
 * Option `{ root }`: the directory whose subdirectories are the modules, relative to ESLint's cwd
 * (default `src`).
 */
import path from 'node:path';

const INDEX = new Set(['index.js', 'index.ts']);

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: "import another module only through its index.js (its public face)" },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      deep: "'{{spec}}' reaches into the {{target}} module's files: import from '{{fix}}' (export what you need there).",
    },
  },
  create(context) {
    const root = path.resolve(context.cwd, context.options[0]?.root ?? 'src');
    const file = context.filename;
    /** The module a path is in, and the path inside it ('' for the module's directory itself). */
    const moduleOf = (p) => {
      const rel = path.relative(root, p);
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
      const parts = rel.split(path.sep);
      return { name: parts[0], inside: parts.slice(1).join('/') };
    };
    const from = moduleOf(file);
    if (!from || from.inside === '') return {};

    const check = (source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('./') && !spec.startsWith('../')) return;
      const target = moduleOf(path.resolve(path.dirname(file), spec));
      if (!target || target.name === from.name || INDEX.has(target.inside)) return;
      let fix = path.relative(path.dirname(file), path.join(root, target.name, 'index.js')).split(path.sep).join('/');
      if (!fix.startsWith('.')) fix = `./${fix}`;
      context.report({ node: source, messageId: 'deep', data: { spec, target: target.name, fix } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
