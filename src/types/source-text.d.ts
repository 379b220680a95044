/**
 * `import SOURCES from './file.ts?source'`: the source text of the file's `// @show key`-marked
 * functions, by key, made at build time (see src/build/source-text.mjs).
 */
declare module '*?source' {
  const sources: Readonly<Record<string, string>>;
  export default sources;
}
