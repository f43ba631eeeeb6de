import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeEnv, parseEnvFile, parseTmpfs, parseUserSpec, parseVolume, resolveEnvEntry } from '../../../lib/spec/flag-values.js';

test('-e KEY takes the value from the CLI environment, or drops it', () => {
  assert.is(resolveEnvEntry('A=b=c', {}), 'A=b=c');
  assert.is(resolveEnvEntry('A', { A: 'x' }), 'A=x');
  assert.is(resolveEnvEntry('A', {}), undefined);
  assert.is(resolveEnvEntry('EMPTY=', {}), 'EMPTY=');
  assert.throws(() => resolveEnvEntry('=x', {}), /name is empty/);
  assert.throws(() => resolveEnvEntry('A B=x', {}), /has spaces/);
});

test('env files: comments, blank lines, CRLF, KEY-only lines, no quote processing', () => {
  const text = '# comment\n\nA=1\r\n  B="two words"\nFROM_HOST\nMISSING\n';
  assert.equal(parseEnvFile(text, { FROM_HOST: 'h' }), ['A=1', 'B="two words"', 'FROM_HOST=h']);
  assert.throws(() => parseEnvFile('OK=1\nBAD KEY=2\n', {}, 'my.env'), /my\.env line 2/);
});

test('mergeEnv: later values win, first position kept', () => {
  assert.equal(mergeEnv(['PATH=/bin', 'A=1'], ['B=2'], ['A=3']), ['PATH=/bin', 'A=3', 'B=2']);
});

test('volumes: HOST:CTR[:ro|rw][,idmap]', () => {
  assert.equal(parseVolume('/h:/c'), { source: '/h', destination: '/c', readonly: false, idmap: false });
  assert.equal(parseVolume('/h:/c:ro'), { source: '/h', destination: '/c', readonly: true, idmap: false });
  assert.equal(parseVolume('./rel:/c:rw,z'), { source: './rel', destination: '/c', readonly: false, idmap: false });
  assert.equal(parseVolume('/h:/c:idmap'), { source: '/h', destination: '/c', readonly: false, idmap: true });
  assert.equal(parseVolume('/h:/c:ro,idmap'), { source: '/h', destination: '/c', readonly: true, idmap: true });
  assert.throws(() => parseVolume('/only'), /invalid volume/);
  assert.throws(() => parseVolume('/h:relative'), /must be absolute/);
  assert.throws(() => parseVolume('named:/c'), /named volumes are not supported/);
  assert.throws(() => parseVolume('/h:/c:rox'), /invalid volume option "rox"/);
  assert.throws(() => parseVolume('/h:/c:ro:extra'), /invalid volume/);
});

test('tmpfs: safe defaults, explicit options win', () => {
  assert.equal(parseTmpfs('/t'), { destination: '/t', options: ['rw', 'nosuid', 'nodev', 'noexec'] });
  assert.equal(parseTmpfs('/t:exec,size=1m').options, ['rw', 'nosuid', 'nodev', 'exec', 'size=1m']);
  assert.throws(() => parseTmpfs('t'), /must be absolute/);
});

test('user specs', () => {
  assert.equal(parseUserSpec('1000'), { user: '1000' });
  assert.equal(parseUserSpec('app:staff'), { user: 'app', group: 'staff' });
  assert.throws(() => parseUserSpec(':1'), /invalid user/);
  assert.throws(() => parseUserSpec('a:'), /invalid user/);
  assert.throws(() => parseUserSpec('a:b:c'), /invalid user/);
});

test.run();
