// Our own lint rules (an oxlint JS plugin, ESLint's rule API): what the style guide asks and no
// built-in rule says exactly. Configured in .oxlintrc.json; each rule is tested in test/unit/lint.test.ts.

/** @param {{ type: string, value?: unknown, quasis?: unknown[], expressions?: unknown[] }} node */
const isStaticString = (node) =>
  (node.type === 'Literal' && typeof node.value === 'string') ||
  (node.type === 'TemplateLiteral' && (node.expressions ?? []).length === 0);

const HTML_SINKS = new Set(['innerHTML', 'outerHTML']);

/** @param {{ type: string, name?: string, value?: unknown }} key */
const keyName = (key) => (key.type === 'Identifier' ? key.name : key.type === 'Literal' ? String(key.value) : undefined);

export default {
  meta: { name: 'playground' },
  rules: {
    'no-dynamic-html': {
      meta: {
        type: 'problem',
        docs: { description: 'innerHTML, outerHTML, insertAdjacentHTML and document.write only with a constant string' },
        messages: {
          dynamic:
            '{{sink}} with a computed string can run markup from a peer or a URL. Build the nodes with document.createElement and set textContent (src/ui/dom.ts has h()), or use a constant string.',
        },
      },
      create(context) {
        return {
          AssignmentExpression(node) {
            const left = node.left;
            if (left.type !== 'MemberExpression') return;
            const name = left.computed ? (left.property.type === 'Literal' ? String(left.property.value) : undefined) : keyName(left.property);
            if (name === undefined || !HTML_SINKS.has(name)) return;
            if (!isStaticString(node.right)) context.report({ node, messageId: 'dynamic', data: { sink: name } });
          },
          CallExpression(node) {
            const callee = node.callee;
            if (callee.type !== 'MemberExpression' || callee.computed) return;
            const name = keyName(callee.property);
            const html =
              name === 'insertAdjacentHTML' ? node.arguments[1] :
              (name === 'write' || name === 'writeln') && callee.object.type === 'Identifier' && callee.object.name === 'document' ? node.arguments[0] :
              name === 'createContextualFragment' || name === 'parseFromString' ? node.arguments[0] :
              null;
            if (html && !isStaticString(html)) context.report({ node, messageId: 'dynamic', data: { sink: name } });
          },
        };
      },
    },
    'no-empty-catch': {
      meta: {
        type: 'problem',
        docs: { description: 'a catch must do something with the error: handle it, explain it, or rethrow it' },
        messages: {
          empty:
            'This catch swallows the error (a comment is not handling). Handle the case you expect and rethrow the rest, e.g. `catch (err) { if (!isGone(err)) throw err; }`, or show it with explain().',
        },
      },
      create(context) {
        /** @param {{ type: string, body?: unknown, params?: unknown[] }} fn */
        const swallows = (fn) =>
          (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') &&
          ((fn.body.type === 'BlockStatement' && fn.body.body.length === 0) ||
            (fn.body.type === 'Identifier' && fn.body.name === 'undefined') ||
            (fn.body.type === 'UnaryExpression' && fn.body.operator === 'void'));
        return {
          CatchClause(node) {
            if (node.body.body.length === 0) context.report({ node, messageId: 'empty' });
          },
          CallExpression(node) {
            const callee = node.callee;
            if (callee.type !== 'MemberExpression' || callee.computed || keyName(callee.property) !== 'catch') return;
            const handler = node.arguments[0];
            if (handler && swallows(handler)) context.report({ node: handler, messageId: 'empty' });
          },
        };
      },
    },
  },
};
