// Source text of marked functions, for "the code on screen is the code that ran".
//
// Mark a function (or a class method) in any TypeScript file with a line comment right above it:
//
//     // @show caller-create-offer
//     export async function createOffer({ pc }: StepScope) { … }
//
// (several keys may share one function: `// @show key-a key-b`). Then import the file with the
// `?source` suffix from page code:
//
//     import SOURCES from '../rtc/step-actions.ts?source';
//     SOURCES['caller-create-offer'] // "async function createOffer({ pc }: StepScope) { … }"
//
// esbuild (build.mjs, via sourceTextPlugin) replaces that import at build time with an object
// { key: source text } extracted from the file as it is on disk, so the text shown is the text
// that was bundled. Unit tests call extractMarked() on the same file to prove it. A leading
// `export ` is dropped and the block is de-indented; nothing else is changed.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const MARK = /^[ \t]*\/\/ @show ((?:[\w.-]+ ?)+)[ \t]*$/;

/**
 * Finds the end of the `{…}` block that starts at or after `from` (skipping strings, template
 * literals and comments). Returns the index just after the closing brace, or -1.
 * @param {string} text
 * @param {number} from
 */
function blockEnd(text, from) {
  let depth = 0;
  let started = false;
  /** @type {string[]} */
  const stack = []; // open template literals / `${` nesting
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (stack.at(-1) === '`') {
      if (c === '\\') { i++; continue; }
      if (c === '`') { stack.pop(); continue; }
      if (c === '$' && next === '{') { stack.push('${'); depth++; i++; continue; }
      continue;
    }
    if (c === '/' && next === '/') { i = text.indexOf('\n', i); if (i < 0) return -1; continue; }
    if (c === '/' && next === '*') { i = text.indexOf('*/', i + 2) + 1; if (i <= 0) return -1; continue; }
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '`') { stack.push('`'); continue; }
    if (c === '(' || c === '[') { depth++; continue; }
    if (c === ')' || c === ']') { depth--; continue; }
    if (c === '{') { depth++; started = true; continue; }
    if (c === '}') {
      if (stack.at(-1) === '${') { stack.pop(); depth--; continue; }
      depth--;
      if (started && depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The body-level `{` of a declaration starting at `start`: the first `{` at bracket depth 0 after
 * the parameter list closes (so destructured parameters and return types like `Promise<{…}>` are
 * skipped).
 * @param {string} text
 * @param {number} start
 */
function bodyStart(text, start) {
  const open = text.indexOf('(', start);
  if (open < 0) return -1;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '<') depth++;
    else if (c === ')' || c === ']' || (c === '>' && text[i - 1] !== '=')) depth--;
    else if (c === '{' && depth === 0) return i;
    else if (c === '{') {
      const end = blockEnd(text, i);
      if (end < 0) return -1;
      i = end - 1;
    }
  }
  return -1;
}

/**
 * Extracts every `// @show key…`-marked function of a TypeScript source text.
 * @param {string} source the file's text
 * @returns {Record<string, string>} key → the function's source (de-indented, without `export `)
 * @throws {SyntaxError} when a marker is not followed by a function whose braces balance, or a key repeats
 */
export function extractMarked(source) {
  /** @type {Record<string, string>} */
  const out = {};
  const lines = source.split('\n');
  let offset = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? '';
    const m = MARK.exec(line);
    offset += line.length + 1;
    if (!m) continue;
    const start = offset;
    const body = bodyStart(source, start);
    const end = body < 0 ? -1 : blockEnd(source, body);
    if (end < 0) throw new SyntaxError(`@show on line ${n + 1}: no function body follows`);
    const raw = source.slice(start, end);
    const indent = /^[ \t]*/.exec(raw)?.[0] ?? '';
    const text = raw.split('\n').map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n').replace(/^export (default )?/, '');
    for (const key of (m[1] ?? '').trim().split(/ +/)) {
      if (key in out) throw new SyntaxError(`@show key "${key}" is used twice`);
      out[key] = text;
    }
  }
  return out;
}

/**
 * The esbuild plugin: `import X from './file.ts?source'` becomes `export default { key: text }`.
 * @returns {import('esbuild').Plugin}
 */
export function sourceTextPlugin() {
  return {
    name: 'source-text',
    setup(build) {
      build.onResolve({ filter: /\?source$/ }, (args) => ({
        path: resolve(dirname(args.importer), args.path.slice(0, -'?source'.length)),
        namespace: 'source-text',
      }));
      build.onLoad({ filter: /.*/, namespace: 'source-text' }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        try {
          return { contents: `export default ${JSON.stringify(extractMarked(text))};`, loader: 'js', watchFiles: [args.path] };
        } catch (err) {
          return { errors: [{ text: `${args.path}: ${err instanceof Error ? err.message : String(err)}` }], watchFiles: [args.path] };
        }
      });
    },
  };
}
