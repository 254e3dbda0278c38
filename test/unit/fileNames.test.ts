import * as assert from 'node:assert/strict';
import { sanitizeFileName } from '../../src/client/fileNames';

describe('file names from other people', () => {
  it('are made safe to save', () => {
    assert.equal(sanitizeFileName('../../etc/passwd'), 'passwd');
    assert.equal(sanitizeFileName('..\\..\\boot.ini'), 'boot.ini');
    assert.equal(sanitizeFileName('CON.txt'), '_CON.txt');
    assert.equal(sanitizeFileName('a\u0000b\u001fc.txt'), 'abc.txt');
    assert.equal(sanitizeFileName('what?.txt'), 'what_.txt');
    assert.equal(sanitizeFileName('..'), 'file');
    assert.equal(sanitizeFileName(''), 'file');
    assert.equal(sanitizeFileName(' .hidden '), 'hidden');
    const long = sanitizeFileName('x'.repeat(300) + '.tar.gz');
    assert.equal(long.length, 200);
    assert.ok(long.endsWith('.gz'));
  });
});
