/**
 * The real programs the tests drive (two browsers, a TURN server, Redis): where to find each one,
 * and which Debian package provides it. Used by `test/setup.ts` (run first by `npm test`, installs
 * what is missing) and by the helpers that launch them, so both agree on what "found" means.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** One external program the tests need. */
export interface RealPart {
  /** Short name used in messages, e.g. `Firefox`. */
  name: string;
  /** Debian package that installs it. */
  debianPackage: string;
  /** Environment variable that overrides the search with an absolute path. */
  envVar: string;
  /** Absolute paths tried, in order, after the environment variable. */
  paths: string[];
  /** Program names looked up on `PATH` after `paths`. */
  commands: string[];
}

/** Chromium (or Chrome): launched by puppeteer over CDP. */
export const CHROMIUM: RealPart = {
  name: 'Chromium',
  debianPackage: 'chromium',
  envVar: 'PUPPETEER_EXECUTABLE_PATH',
  paths: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  commands: ['chromium', 'chromium-browser', 'google-chrome'],
};

/** Firefox (Debian's ESR build first): launched by puppeteer over WebDriver BiDi. */
export const FIREFOX: RealPart = {
  name: 'Firefox',
  debianPackage: 'firefox-esr',
  envVar: 'FIREFOX_EXECUTABLE_PATH',
  paths: [
    '/usr/bin/firefox-esr',
    '/usr/bin/firefox',
    '/usr/lib/firefox-esr/firefox-esr',
    '/usr/lib/firefox/firefox',
    '/snap/bin/firefox',
    '/Applications/Firefox.app/Contents/MacOS/firefox',
  ],
  commands: ['firefox-esr', 'firefox'],
};

/** coturn's `turnserver`: the TURN server of the relay tests. */
export const TURNSERVER: RealPart = {
  name: 'coturn (turnserver)',
  debianPackage: 'coturn',
  envVar: 'TURNSERVER_PATH',
  paths: ['/usr/bin/turnserver', '/usr/local/bin/turnserver', '/opt/homebrew/bin/turnserver'],
  commands: ['turnserver'],
};

/** `redis-server`: the shared room store of the cluster tests. */
export const REDIS_SERVER: RealPart = {
  name: 'Redis (redis-server)',
  debianPackage: 'redis-server',
  envVar: 'REDIS_SERVER_PATH',
  paths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'],
  commands: ['redis-server'],
};

/** Every real part `npm test` needs, in install order. */
export const REAL_PARTS: readonly RealPart[] = [CHROMIUM, FIREFOX, TURNSERVER, REDIS_SERVER];

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch (err) {
    if (err instanceof Error) return false;
    throw err;
  }
}

/**
 * Where `part` is installed: its environment variable when set, else the first executable of
 * its usual paths, else the first of its commands found on `PATH`.
 * @returns the absolute path, or `undefined` when not installed.
 * @throws Error when the environment variable names a file that is missing or not executable
 *   (a typo there must not silently fall back to another program).
 */
export function locate(part: RealPart): string | undefined {
  const fromEnv = process.env[part.envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${part.envVar}=${fromEnv} does not exist`);
    if (!isExecutable(fromEnv)) throw new Error(`${part.envVar}=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const known = part.paths.find(isExecutable);
  if (known) return known;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const command of part.commands) {
    for (const dir of dirs) {
      const candidate = join(dir, command);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The one command that installs `packages` on this machine (Debian/Ubuntu apt, macOS Homebrew). */
export function installCommand(packages: readonly string[], asRoot = process.getuid?.() === 0): string {
  if (process.platform === 'darwin') {
    const casks = packages.filter((p) => p === 'chromium' || p === 'firefox-esr').map((p) => (p === 'firefox-esr' ? 'firefox' : p));
    const formulae = packages.filter((p) => p === 'coturn' || p === 'redis-server').map((p) => (p === 'redis-server' ? 'redis' : p));
    return [casks.length ? `brew install --cask ${casks.join(' ')}` : '', formulae.length ? `brew install ${formulae.join(' ')}` : '']
      .filter(Boolean)
      .join(' && ');
  }
  return `${asRoot ? '' : 'sudo '}apt-get update && ${asRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}`;
}

/**
 * Like {@link locate}, but a missing part is an error that says what to install.
 * @throws Error naming the package and the environment variable when `part` is not installed.
 */
export function requirePart(part: RealPart): string {
  const found = locate(part);
  if (found) return found;
  throw new Error(
    `${part.name} is not installed, and the tests need it. Install it with: ${installCommand([part.debianPackage])} ` +
      `(or set ${part.envVar} to its executable). \`npm test\` does this by itself when run as root on Debian.`,
  );
}
