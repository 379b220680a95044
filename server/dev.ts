/**
 * `npm run dev`: the page build runs inside the server process, as an esbuild context in watch
 * mode (build.mjs's own options, with the live-reload client added to every page). When a rebuild
 * ends, {@link startDevBuild} reports it once: its time and its errors.
 *
 * Outputs are written here, and only by a build without errors: esbuild's own writing removes the
 * outputs of a failed rebuild, which would turn every open page into a 404 instead of showing the error.
 *
 * @see https://esbuild.github.io/api/#watch
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BuildResult, Message, Plugin } from 'esbuild';

/** One finished build: its duration in ms and its errors as `file:line:column: text` (none when it succeeded). */
export interface DevBuild {
  ms: number;
  errors: string[];
}

/** A running dev build. */
export interface DevBuilder {
  /** Stops watching. */
  dispose(): Promise<void>;
}

/** `file:line:column: text` of an esbuild message, the file relative to `root`. */
export function formatMessage(message: Message, root: string): string {
  const where = message.location ? `${relative(root, message.location.file) || message.location.file}:${message.location.line}:${message.location.column + 1}: ` : '';
  return `${where}${message.text}`;
}

/** The one line `npm run dev` prints for a build, e.g. `rebuilt in 41 ms` or `build failed in 12 ms: src/pages/gum.ts:3:7: …`. */
export function buildLine(build: DevBuild, time: Date = new Date()): string {
  const clock = time.toTimeString().slice(0, 8);
  if (build.errors.length === 0) return `${clock} rebuilt in ${Math.round(build.ms)} ms`;
  const more = build.errors.length > 1 ? ` (+${build.errors.length - 1} more, shown in the page)` : '';
  return `${clock} build failed in ${Math.round(build.ms)} ms: ${build.errors[0] ?? ''}${more}`;
}

/**
 * Builds the pages of `root` into `root/dist` and rebuilds on every change of their sources,
 * calling `onBuild` after each build (the first one too).
 * @throws the esbuild error when the build cannot even start (e.g. a missing src/pages folder).
 */
export async function startDevBuild(root: string, onBuild: (build: DevBuild) => void): Promise<DevBuilder> {
  const [esbuild, { pageBuildOptions }] = await Promise.all([import('esbuild'), import('../build.mjs')]);
  let started = performance.now();
  const report: Plugin = {
    name: 'dev-report',
    setup(build) {
      build.onStart(() => {
        started = performance.now();
      });
      build.onEnd(async (result: BuildResult) => {
        if (result.errors.length === 0) {
          for (const file of result.outputFiles ?? []) {
            await mkdir(dirname(file.path), { recursive: true });
            await writeFile(file.path, file.contents);
          }
        }
        onBuild({ ms: Math.round(performance.now() - started), errors: result.errors.map((m) => formatMessage(m, root)) });
      });
    },
  };
  const ctx = await esbuild.context({ ...pageBuildOptions({ root, dev: true, plugins: [report] }), write: false, logLevel: 'silent' });
  await ctx.watch();
  return { dispose: () => ctx.dispose() };
}
