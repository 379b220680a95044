import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deviceLabel, groupDevices, labelsHidden, loadChoices, resolveChoice, saveChoice, type DeviceLike, type KeyValueStore } from '../../src/media/devices';
import { must } from '../helpers/must';

const d = (kind: MediaDeviceKind, deviceId: string, label: string): DeviceLike => ({ kind, deviceId, label, groupId: '' });
const granted = [d('audioinput', 'default', 'Default mic'), d('videoinput', 'cam0', 'fake_device_0'), d('videoinput', 'cam1', 'fake_device_1'), d('audiooutput', 'out0', 'Speakers')];
const hidden = [d('audioinput', '', ''), d('videoinput', '', ''), d('audiooutput', '', '')];

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

test('groups by kind in order', () => {
  const g = groupDevices(granted);
  assert.equal(g.videoinput.map((x) => x.deviceId), ['cam0', 'cam1']);
  assert.is(g.audioinput.length, 1);
  assert.is(g.audiooutput.length, 1);
  assert.is(g.labelsHidden, false);
});

test('labels hidden before permission; an empty list is not "hidden"', () => {
  assert.is(labelsHidden(hidden), true);
  assert.is(groupDevices(hidden).labelsHidden, true);
  assert.is(labelsHidden([]), false);
  assert.is(labelsHidden([...hidden, d('videoinput', 'x', 'Cam')]), false);
});

test('device label falls back to kind + number', () => {
  assert.is(deviceLabel(must(granted[1], 'a camera'), 0), 'fake_device_0');
  assert.match(deviceLabel(must(hidden[1], 'a camera'), 1), /^Camera 2 \(name hidden/);
});

test('remembered choices round-trip; broken storage reads as none', () => {
  const store = memoryStore();
  assert.equal(loadChoices(store), {});
  saveChoice('videoinput', { deviceId: 'cam1', label: 'fake_device_1' }, store);
  saveChoice('audiooutput', { deviceId: 'out0', label: 'Speakers' }, store);
  assert.equal(loadChoices(store), { videoinput: { deviceId: 'cam1', label: 'fake_device_1' }, audiooutput: { deviceId: 'out0', label: 'Speakers' } });
  saveChoice('videoinput', null, store);
  assert.equal(Object.keys(loadChoices(store)), ['audiooutput']);
  store.data.set('webrtc-playground.devices', '{not json');
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    assert.equal(loadChoices(store), {});
  } finally {
    console.warn = warn;
  }
  store.data.set('webrtc-playground.devices', JSON.stringify({ videoinput: { deviceId: 5 } }));
  assert.equal(loadChoices(store), {});
});

test('resolveChoice: none, remembered, missing, unknown (ids hidden)', () => {
  const cams = groupDevices(granted).videoinput;
  assert.equal(resolveChoice(undefined, cams), { status: 'none' });
  assert.equal(resolveChoice({ deviceId: 'cam1', label: 'x' }, cams), { status: 'remembered', deviceId: 'cam1' });
  const gone = { deviceId: 'usb', label: 'USB cam' };
  assert.equal(resolveChoice(gone, cams), { status: 'missing', remembered: gone });
  assert.equal(resolveChoice(gone, groupDevices(hidden).videoinput), { status: 'unknown', deviceId: 'usb' });
});

test.run();
