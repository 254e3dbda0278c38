import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeClientFrame, decodeRelayFrame } from '../../src/protocol/wire';

describe('frame validation', () => {
  it('accepts a well-formed send and strips unknown fields', () => {
    const r = decodeClientFrame(JSON.stringify({ t: 'send', id: 'abcdefgh', conv: 'r1', body: { kind: 'text', text: 'hi' }, author: 'u_x', seq: 7 }));
    assert.ok(r.ok);
    assert.deepEqual(r.value, { t: 'send', id: 'abcdefgh', conv: 'r1', body: { kind: 'text', text: 'hi' } });
  });

  it('names the field that is wrong', () => {
    const r = decodeClientFrame(
      JSON.stringify({ t: 'send', id: 'abcdefgh', conv: 'r1', body: { kind: 'snippet', code: 'x', lang: 'ts', lines: { start: 5, end: 2 }, hash: 'nope' } }),
    );
    assert.ok(!r.ok);
    assert.equal(r.code, 'bad_frame');
    assert.match(r.message, /^invalid send frame: body\./);
  });

  it('tells unknown types from bad frames', () => {
    const r = decodeClientFrame('{"t":"warp"}');
    assert.ok(!r.ok);
    assert.equal(r.code, 'unknown_type');
  });

  it('never throws on arbitrary input, and only accepts objects with a known type', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          const r = decodeClientFrame(text);
          if (r.ok) assert.equal(typeof r.value.t, 'string');
          else assert.ok(r.code === 'bad_frame' || r.code === 'unknown_type');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated valid frames', () => {
    const base = { t: 'send', id: 'abcdefgh', conv: 'r1', body: { kind: 'text', text: 'hi' } };
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), (key, value) => {
        const f = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
        f[key] = value;
        const r = decodeClientFrame(JSON.stringify(f));
        assert.ok(typeof r.ok === 'boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('skips relay events of unknown types so old clients survive new relays', () => {
    const r = decodeRelayFrame(
      JSON.stringify([
        { t: 'future-thing', x: 1 },
        { t: 'typing', conv: 'r1', user: 'u1' },
      ]),
    );
    assert.ok(r.ok);
    assert.deepEqual(r.value, [{ t: 'typing', conv: 'r1', user: 'u1' }]);
  });

  it('refuses a relay frame that is not an array, or a known event that is malformed', () => {
    assert.equal(decodeRelayFrame('{"t":"typing"}').ok, false);
    assert.equal(decodeRelayFrame('[{"t":"typing","conv":5}]').ok, false);
  });
});
