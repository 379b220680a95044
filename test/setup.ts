/**
 * First step of `npm test`: makes sure every real program the tests drive is installed
 * (Chromium, Firefox, coturn's turnserver, redis-server; see helpers/real-parts.ts).
 *
 * - All there: prints where each one is and exits 0.
 * - Some missing, running as root on Debian/Ubuntu (CI, a fresh container): installs them with
 *   `apt-get install -y` (services the packages would start are kept from starting: the tests run
 *   their own instances on free loopback ports), checks again, exits 0.
 * - Some missing anywhere else: prints the one command to run and exits 1. Nothing is skipped.
 *
 * Usage: `node --import tsx test/setup.ts` (`npm run test:setup`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { REAL_PARTS, installCommand, locate, type RealPart } from './helpers/real-parts';

/** Kept from starting by `apt-get install` (Debian's invoke-rc.d asks this script; 101 = "not now"). */
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

function missingParts(): RealPart[] {
  const missing: RealPart[] = [];
  for (const part of REAL_PARTS) {
    let found: string | undefined;
    try {
      found = locate(part);
    } catch (err) {
      console.error(`setup: ${(err as Error).message}`);
      process.exit(1);
    }
    if (found) console.log(`setup: ${part.name.padEnd(22)} ${found}`);
    else missing.push(part);
  }
  return missing;
}

function canInstallWithApt(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
}

function run(command: string, args: string[]): void {
  console.log(`setup: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    console.error(`setup: "${command} ${args.join(' ')}" failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

/** Installs `packages` with apt-get, with service starts blocked while it runs. */
function aptInstall(packages: string[]): void {
  // redis-server and coturn start system services when installed; the tests never use those (they
  // start their own on free ports), and in a container without an init system the start fails.
  const ownPolicy = !existsSync(POLICY_RC_D);
  if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\n# written by the test setup while apt-get runs\nexit 101\n', { mode: 0o755 });
  try {
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', ...packages]);
  } finally {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  }
}

const missing = missingParts();
if (missing.length > 0) {
  const packages = missing.map((p) => p.debianPackage);
  const names = missing.map((p) => p.name).join(', ');
  if (!canInstallWithApt()) {
    console.error(`\nsetup: the tests need ${names}, which ${missing.length === 1 ? 'is' : 'are'} not installed. Run:\n\n  ${installCommand(packages)}\n`);
    console.error(`(or point ${missing.map((p) => p.envVar).join(' / ')} at an installed copy), then run the tests again.`);
    process.exit(1);
  }
  console.log(`setup: installing ${names} (Debian packages: ${packages.join(' ')})`);
  aptInstall(packages);
  const still = missingParts();
  if (still.length > 0) {
    console.error(`setup: still missing after apt-get install: ${still.map((p) => p.name).join(', ')}`);
    process.exit(1);
  }
}
