import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlaygroundError, explainError, failedConstraint } from '../../src/errors/explain';

/** An OverconstrainedError as Chromium throws it (not a DOMException subclass there). */
function overconstrained(constraint: string): Error & { constraint: string } {
  const e = new Error('') as Error & { constraint: string };
  e.name = 'OverconstrainedError';
  e.constraint = constraint;
  return e;
}

test('getUserMedia: each DOMException gets its own explanation and keeps its name and message', () => {
  const cases: [string, RegExp][] = [
    ['NotAllowedError', /To allow it again/],
    ['NotFoundError', /does not have|no longer exists/],
    ['NotReadableError', /Another application or browser tab/],
    ['AbortError', /Try again/],
    ['SecurityError', /https:\/\/|localhost/],
    ['InvalidStateError', /active and visible/],
  ];
  const titles = new Set<string>();
  for (const [name, detail] of cases) {
    const ex = explainError(new DOMException(`raw ${name}`, name), 'getUserMedia');
    assert.is(ex.name, name);
    assert.match(ex.detail, detail, name);
    assert.is(ex.raw, `raw ${name}`);
    assert.not.match(ex.title, /Something went wrong/, name);
    titles.add(ex.title);
  }
  assert.is(titles.size, cases.length, 'every name has a different title');
});

test('getUserMedia: OverconstrainedError names the failed constraint', () => {
  const ex = explainError(overconstrained('width'), 'getUserMedia');
  assert.is(ex.name, 'OverconstrainedError');
  assert.match(ex.title, /"width"/);
  assert.match(ex.detail, /"width"/);
  assert.is(failedConstraint(overconstrained('frameRate')), 'frameRate');
  assert.is(failedConstraint(overconstrained('')), undefined);
  assert.not.match(explainError(overconstrained(''), 'getUserMedia').title, /""/);
});

test('getUserMedia: an empty request (TypeError) says audio or video is needed', () => {
  const ex = explainError(new TypeError("Failed to execute 'getUserMedia': At least one of audio and video must be requested"), 'getUserMedia');
  assert.is(ex.name, 'TypeError');
  assert.match(ex.detail, /at least one of audio or video/);
});

test('insecure context: navigator.mediaDevices missing is explained in any context', () => {
  for (const ctx of ['getUserMedia', 'enumerateDevices', 'setSinkId'] as const) {
    const ex = explainError(new PlaygroundError('InsecureContextError', 'http://x is not a secure context'), ctx);
    assert.is(ex.name, 'InsecureContextError');
    assert.match(ex.detail, /https:\/\//);
  }
});

test('applyConstraints: OverconstrainedError keeps the old settings; TypeError is about the values', () => {
  const oc = explainError(overconstrained('frameRate'), 'applyConstraints');
  assert.match(oc.title, /"frameRate"/);
  assert.match(oc.detail, /keeps its previous settings/);
  assert.match(explainError(new TypeError('frameRate must be a positive number'), 'applyConstraints').detail, /must be positive/);
});

test('setSinkId: NotFoundError is about the output, not a camera', () => {
  const ex = explainError(new DOMException('Requested device not found', 'NotFoundError'), 'setSinkId');
  assert.match(ex.title, /audio output/);
  assert.match(explainError(new DOMException('', 'NotAllowedError'), 'setSinkId').detail, /microphone permission/);
  assert.match(explainError(new PlaygroundError('UnsupportedError', 'no setSinkId'), 'setSinkId').title, /does not support/);
});

test('an unknown error still shows its name and raw message', () => {
  const ex = explainError(new DOMException('weird', 'WeirdError'), 'getUserMedia');
  assert.is(ex.name, 'WeirdError');
  assert.is(ex.raw, 'weird');
});

test.run();
