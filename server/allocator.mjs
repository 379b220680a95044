// @ts-check
/**
 * The memory allocator `npm start` runs the server with (build.mjs --start sets it in the server
 * process's environment: an allocator must be chosen before a process starts). Plain JavaScript so
 * that build.mjs, run by plain node, can import it; the relay benchmark uses the same choice.
 *
 * Why: the native state of each TLS connection (OpenSSL and Node's TLS wrap) is freed into the
 * allocator when the connection closes. glibc's malloc keeps it: its main heap only shrinks from the
 * top, and Node never calls `malloc_trim()`. After 5,000 connections close the server kept 110–125 MB
 * above its start, of which `malloc_trim()` (called from a debugger) gave back all but ~25 MB.
 * jemalloc, a well-kept general-purpose allocator packaged by every Linux distribution, gives unused
 * pages back by itself (`dirty_decay_ms`, in a background thread) and is also cheaper per relayed
 * message than glibc with the settings below. It is used when it is installed; nothing else changes.
 *
 * @see https://jemalloc.net/jemalloc.3.html#tuning
 * @see https://man7.org/linux/man-pages/man3/mallopt.3.html
 */
import { existsSync } from 'node:fs';

/** Where Linux distributions install jemalloc's shared library (Debian/Ubuntu `libjemalloc2`, Fedora, Arch, Alpine). */
export const JEMALLOC_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/lib/libjemalloc.so.2',
];

/**
 * jemalloc's settings: unused pages go back to the system after 1 s (default 10 s), purged by a
 * background thread so that an idle server gives them back too.
 */
export const JEMALLOC_CONF = 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0';

/**
 * glibc malloc settings when jemalloc is not installed: allocations of 16 KiB or more (TLS record
 * buffers) are mapped on their own and unmapped when freed, and the heap's free top is given back
 * past 64 KiB. Other systems ignore these variables.
 */
export const GLIBC_ENV = Object.freeze({ MALLOC_MMAP_THRESHOLD_: '16384', MALLOC_TRIM_THRESHOLD_: '65536' });

/**
 * @typedef {object} ServerAllocator
 * @property {'jemalloc' | 'glibc' | 'custom' | 'system'} name which allocator the server runs with:
 *   `custom` when `LD_PRELOAD` is already set (the operator's choice is kept), `system` off Linux.
 * @property {Record<string, string>} env variables to add to the server's environment
 * @property {string} [hint] one line for the operator when memory could be given back better
 */

/**
 * Chooses the server's allocator: jemalloc when its library is installed, else glibc with
 * {@link GLIBC_ENV}. A set `LD_PRELOAD` or `MALLOC_CONF` is the operator's and is kept.
 * @param {{ platform?: string, env?: Record<string, string | undefined>, exists?: (path: string) => boolean }} [context]
 *   where to look (defaults: this process's platform and environment, the file system)
 * @returns {ServerAllocator}
 */
export function serverAllocator(context = {}) {
  const platform = context.platform ?? process.platform;
  const env = context.env ?? process.env;
  const exists = context.exists ?? existsSync;
  if (platform !== 'linux') return { name: 'system', env: {} };
  if (env.LD_PRELOAD) return { name: 'custom', env: {} };
  const jemalloc = JEMALLOC_PATHS.find((path) => exists(path));
  if (jemalloc) return { name: 'jemalloc', env: { LD_PRELOAD: jemalloc, MALLOC_CONF: env.MALLOC_CONF ?? JEMALLOC_CONF } };
  return {
    name: 'glibc',
    env: { ...GLIBC_ENV },
    hint: 'memory: install jemalloc (Debian/Ubuntu: apt-get install libjemalloc2) and the server gives memory back after many connections close',
  };
}
