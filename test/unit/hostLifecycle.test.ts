import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/infra/emitter';
import { Disposable, disposeAll } from '../../src/host/disposable';
import { ViewReady } from '../../src/host/view/viewReady';

class Pinger extends Emitter<{ ping: (n: number) => void }> {
  ping(n: number): void {
    this.emit('ping', n);
  }
}

class Owner extends Disposable {
  own<T extends { dispose(): unknown }>(d: T): T {
    return this._register(d);
  }
}

describe('host lifecycle: listeners, disposal, readiness', () => {
  it('Emitter.on returns what removes the listener, called or disposed, once', () => {
    const p = new Pinger();
    const heard: number[] = [];
    const off = p.on('ping', (n) => heard.push(n));
    const sub = p.on('ping', (n) => heard.push(n * 10));
    p.ping(1);
    off();
    sub.dispose();
    sub.dispose();
    p.ping(2);
    assert.deepEqual(heard, [1, 10]);
  });

  it('disposeAll disposes everything, last first, and logs each error', () => {
    const order: string[] = [];
    const logged: string[] = [];
    const item = (name: string, fail = false) => ({
      dispose: () => {
        order.push(name);
        if (fail) throw new Error(`${name} failed`);
      },
    });
    disposeAll([item('a'), item('b', true), item('c', true)], 'the test', { error: (l) => logged.push(l) });
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.equal(logged.length, 2);
    assert.match(logged[0], /^while disposing the test: Error: c failed/);
  });

  it('without a log, the errors are thrown together once all is disposed', () => {
    const owner = new Owner();
    let disposed = 0;
    owner.own({ dispose: () => disposed++ });
    owner.own({
      dispose: () => {
        throw new Error('boom');
      },
    });
    assert.throws(
      () => owner.dispose(),
      (err: unknown) => err instanceof AggregateError && err.errors.length === 1 && /boom/.test(String(err.errors[0])),
    );
    assert.equal(disposed, 1, 'the rest was still disposed');
    owner.dispose(); // a second dispose does nothing (and throws nothing)
  });

  it('ViewReady: waits for ready; a new view waits again, and earlier waiters get that one', async () => {
    const r = new ViewReady();
    const seen: string[] = [];
    void r.whenReady().then(() => seen.push('first'));
    r.reset(); // a view replaced before it was ready: the waiter keeps waiting
    await Promise.resolve();
    assert.equal(seen.length, 0);
    r.set();
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(seen, ['first']);
    assert.equal(r.ready, true);
    r.reset();
    assert.equal(r.ready, false);
    void r.whenReady().then(() => seen.push('second'));
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(seen, ['first']);
    r.set();
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(seen, ['first', 'second']);
  });
});
