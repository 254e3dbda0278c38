import * as assert from 'node:assert/strict';
import { Backoff } from '../../src/client/backoff';
import { AuthThrottle, secretMatches } from '../../src/relay/auth';
import { TokenBucket } from '../../src/relay/rateLimiter';

describe('backoff', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    const lo = new Backoff(100, 2000, () => 0);
    const hi = new Backoff(100, 2000, () => 1);
    const los = Array.from({ length: 8 }, () => lo.next());
    const his = Array.from({ length: 8 }, () => hi.next());
    assert.deepEqual(his, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    assert.deepEqual(los, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
    hi.reset();
    assert.equal(hi.next(), 100);
  });
});

describe('token bucket', () => {
  it('allows a burst, then the sustained rate', () => {
    let now = 0;
    const b = new TokenBucket(10, 5, () => now);
    const burst = Array.from({ length: 7 }, () => b.take());
    assert.deepEqual(burst, [true, true, true, true, true, false, false]);
    now += 100; // 0.1 s at 10/s: one token
    assert.equal(b.take(), true);
    assert.equal(b.take(), false);
  });
});

describe('secrets', () => {
  it('matches only the exact secret', () => {
    assert.equal(secretMatches('s3cret-team', 's3cret-team'), true);
    assert.equal(secretMatches('s3cret-team', 's3cret-tea'), false);
    assert.equal(secretMatches('s3cret-team', undefined), false);
    assert.equal(secretMatches('s3cret-team', ''), false);
  });

  it('throttles an address after repeated failures, for the window only', () => {
    let now = 0;
    const t = new AuthThrottle(3, 1000, () => now);
    for (let i = 0; i < 3; i++) t.fail('10.0.0.1');
    assert.equal(t.blocked('10.0.0.1'), true);
    assert.equal(t.blocked('10.0.0.2'), false);
    now = 1001;
    assert.equal(t.blocked('10.0.0.1'), false);
  });
});
