import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAddress, parseCandidate } from '../../src/rtc/candidates';

test('host candidate from a recorded Chromium offer', () => {
  const c = parseCandidate('candidate:699530820 1 udp 2122194687 192.0.2.2 40306 typ host generation 0 network-id 1');
  assert.equal(c, {
    foundation: '699530820', component: 1, protocol: 'udp', priority: 2122194687, address: '192.0.2.2', port: 40306,
    type: 'host', mdns: false, relatedAddress: null, relatedPort: null, tcpType: null,
  });
});

test('mDNS host, srflx with raddr/rport, relay, TCP and IPv6; with the a= prefix', () => {
  const mdns = parseCandidate('a=candidate:3442447574 1 udp 2122260223 4b7e2ee7-1d2a-4cbb-8b13-ac7e7e24b8a3.local 54321 typ host generation 0 ufrag abCD network-cost 999');
  assert.ok(mdns.mdns);
  assert.is(mdns.address, '4b7e2ee7-1d2a-4cbb-8b13-ac7e7e24b8a3.local');
  const srflx = parseCandidate('candidate:842163049 1 udp 1677729535 203.0.113.7 51234 typ srflx raddr 0.0.0.0 rport 0 generation 0');
  assert.is(srflx.type, 'srflx');
  assert.is(srflx.relatedAddress, '0.0.0.0');
  assert.is(srflx.relatedPort, 0);
  const relay = parseCandidate('candidate:1 1 UDP 41885439 198.51.100.4 3478 typ relay raddr 203.0.113.7 rport 51234');
  assert.is(relay.type, 'relay');
  assert.is(relay.protocol, 'udp');
  const tcp = parseCandidate('candidate:1342992492 1 tcp 1518285567 fd00::2 9 typ host tcptype active generation 0 network-id 2');
  assert.is(tcp.tcpType, 'active');
  assert.is(formatAddress(tcp.address, tcp.port), '[fd00::2]:9');
  assert.is(formatAddress('192.0.2.2', 40306), '192.0.2.2:40306');
  assert.is(parseCandidate('candidate:5 1 udp 1845501695 192.0.2.9 6000 typ prflx raddr 192.0.2.2 rport 40306').type, 'prflx');
});

test('malformed lines are a TypeError', () => {
  for (const bad of ['', 'candidate:1 1 udp', 'candidate:1 1 udp 5 1.2.3.4 99999 typ host', 'candidate:1 1 udp x 1.2.3.4 5 typ host', 'candidate:1 1 udp 5 1.2.3.4 5 typ alien', 'candidate:1 1 udp 5 1.2.3.4 5 kind host']) {
    assert.throws(() => parseCandidate(bad), TypeError, bad);
  }
  assert.throws(() => parseCandidate(null as unknown as string), TypeError);
});

test.run();
