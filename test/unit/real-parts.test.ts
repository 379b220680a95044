import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { REAL_PARTS, installCommand, locate, requirePart, type RealPart } from '../helpers/real-parts';

const test = suite('real parts (installed programs the tests need)');
const dir = mkdtempSync(join(tmpdir(), 'wp-parts-'));
const saved = { PATH: process.env.PATH, WP_TEST_TOOL: process.env.WP_TEST_TOOL };

function tool(name: string, executable = true): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}
const part = (paths: string[], commands: string[] = []): RealPart => ({
  name: 'Test tool',
  debianPackage: 'test-tool',
  envVar: 'WP_TEST_TOOL',
  paths,
  commands,
});

test.after.each(() => {
  process.env.PATH = saved.PATH;
  if (saved.WP_TEST_TOOL === undefined) delete process.env.WP_TEST_TOOL;
  else process.env.WP_TEST_TOOL = saved.WP_TEST_TOOL;
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the environment variable wins over the usual paths; a wrong one is an error, not a fallback', () => {
  const usual = tool('usual');
  const chosen = tool('chosen');
  process.env.WP_TEST_TOOL = chosen;
  assert.is(locate(part([usual])), chosen);
  process.env.WP_TEST_TOOL = join(dir, 'typo');
  assert.throws(() => locate(part([usual])), /WP_TEST_TOOL=.*typo does not exist/);
  process.env.WP_TEST_TOOL = tool('not-executable', false);
  assert.throws(() => locate(part([usual])), /not an executable file/);
});

test('usual paths in order (skipping missing, non-executable files and folders), then commands on PATH', () => {
  delete process.env.WP_TEST_TOOL;
  const second = tool('second');
  const plain = tool('plain', false);
  mkdirSync(join(dir, 'folder'));
  assert.is(locate(part([join(dir, 'missing'), plain, join(dir, 'folder'), second])), second);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'the-tool'), '#!/bin/sh\n', { mode: 0o755 });
  process.env.PATH = `${join(dir, 'nothing-here')}:${bin}`;
  assert.is(locate(part([join(dir, 'missing')], ['other', 'the-tool'])), join(bin, 'the-tool'));
  assert.is(locate(part([join(dir, 'missing')], ['other'])), undefined);
});

test('a missing part is an error naming the package to install and the variable to set', () => {
  delete process.env.WP_TEST_TOOL;
  process.env.PATH = join(dir, 'nothing-here');
  assert.throws(() => requirePart(part([join(dir, 'missing')], ['nope'])), (err: Error) =>
    /Test tool is not installed/.test(err.message) && /apt-get install -y test-tool/.test(err.message) && /WP_TEST_TOOL/.test(err.message));
});

test('the install command: one line, sudo unless root, Debian package names', () => {
  if (process.platform === 'darwin') return;
  assert.is(installCommand(['chromium', 'redis-server'], false), 'sudo apt-get update && sudo apt-get install -y chromium redis-server');
  assert.is(installCommand(['coturn'], true), 'apt-get update && apt-get install -y coturn');
  assert.equal(REAL_PARTS.map((p) => p.debianPackage), ['chromium', 'firefox-esr', 'coturn', 'redis-server']);
});

test.run();
