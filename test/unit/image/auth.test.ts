import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseWwwAuthenticate } from '../../../lib/image/auth-challenge.js';
import {
  authFileReadOrder,
  authFileWritePath,
  findCredentials,
  readCredentials,
  removeAllCredentials,
  removeCredentials,
  storeCredentials,
} from '../../../lib/image/auth.js';

test('WWW-Authenticate: Bearer with realm, service and scope', () => {
  assert.equal(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
  ]);
});

test('WWW-Authenticate: Basic, several challenges, escapes, unquoted values, token68', () => {
  assert.equal(parseWwwAuthenticate('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  assert.equal(parseWwwAuthenticate('Negotiate abc==, Basic realm=test, Bearer realm="a\\"b", error=insufficient_scope'), [
    { scheme: 'negotiate', params: {} },
    { scheme: 'basic', params: { realm: 'test' } },
    { scheme: 'bearer', params: { realm: 'a"b', error: 'insufficient_scope' } },
  ]);
  assert.equal(parseWwwAuthenticate('BEARER Realm = "x" , Scope="repository:a:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'x', scope: 'repository:a:pull,push' } },
  ]);
  assert.equal(parseWwwAuthenticate(''), []);
  assert.throws(() => parseWwwAuthenticate('Bearer realm="unterminated'), /malformed WWW-Authenticate/);
  assert.throws(() => parseWwwAuthenticate('realm="x"'), /malformed WWW-Authenticate/);
});

function withTempHome(run: (dir: string, env: NodeJS.ProcessEnv) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-auth-'));
  try {
    run(dir, { HOME: dir, XDG_RUNTIME_DIR: path.join(dir, 'run') });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const encode = (text: string): string => Buffer.from(text).toString('base64');

test('auth files: where credentials are read from and written to', () => {
  withTempHome((dir, env) => {
    assert.is(authFileWritePath(env), path.join(dir, 'run', 'containers', 'auth.json'));
    assert.is(authFileWritePath({ HOME: dir }), path.join(dir, '.config', 'containers', 'auth.json'));
    assert.is(authFileWritePath({ ...env, REGISTRY_AUTH_FILE: '/x/auth.json' }), '/x/auth.json');
    assert.equal(authFileReadOrder(env), [
      path.join(dir, 'run', 'containers', 'auth.json'),
      path.join(dir, '.config', 'containers', 'auth.json'),
      path.join(dir, '.docker', 'config.json'),
    ]);
  });
});

test('auth files: store atomically with mode 0600, keep other entries, read back', () => {
  withTempHome((_dir, env) => {
    const file = authFileWritePath(env);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ auths: { 'quay.io': { auth: encode('q:w') } }, credHelpers: { x: 'y' } }));
    assert.is(storeCredentials('127.0.0.1:5000', { username: 'user', password: 'pa:ss' }, env), file);
    assert.is(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.readdirSync(path.dirname(file)), ['auth.json']);
    const content = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(content.credHelpers, { x: 'y' });
    assert.is(content.auths['127.0.0.1:5000'].auth, encode('user:pa:ss'));
    assert.equal(readCredentials('127.0.0.1:5000', env), { username: 'user', password: 'pa:ss' });
    assert.equal(readCredentials('quay.io', env), { username: 'q', password: 'w' });
    assert.is(readCredentials('127.0.0.1:5001', env), undefined);
  });
});

test("auth files: Docker's config.json with index.docker.io keys is read for docker.io", () => {
  withTempHome((dir, env) => {
    fs.mkdirSync(path.join(dir, '.docker'));
    const dockerConfig = path.join(dir, '.docker', 'config.json');
    fs.writeFileSync(dockerConfig, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: encode('hub:secret') }, 'ghcr.io/team': { auth: encode('t:t') } } }));
    assert.equal(findCredentials('docker.io', env), { credentials: { username: 'hub', password: 'secret' }, file: dockerConfig });
    assert.is(readCredentials('ghcr.io', env), undefined, 'a namespaced key does not apply to the whole registry');
    storeCredentials('index.docker.io', { username: 'own', password: 'pw' }, env);
    assert.equal(readCredentials('docker.io', env), { username: 'own', password: 'pw' }, "rootless's file comes first");
    assert.ok(JSON.parse(fs.readFileSync(authFileWritePath(env), 'utf8')).auths['docker.io']);
  });
});

test('auth files: logout removes only from the file rootless writes', () => {
  withTempHome((dir, env) => {
    storeCredentials('docker.io', { username: 'a', password: 'b' }, env);
    storeCredentials('127.0.0.1:5001', { username: 'c', password: 'd' }, env);
    assert.equal(removeCredentials('registry-1.docker.io', env), { removed: true });
    assert.is(readCredentials('docker.io', env), undefined);
    assert.equal(removeCredentials('docker.io', env), { removed: false, elsewhere: undefined });
    fs.mkdirSync(path.join(dir, '.docker'));
    fs.writeFileSync(path.join(dir, '.docker', 'config.json'), JSON.stringify({ auths: { 'docker.io': { auth: encode('x:y') } } }));
    assert.equal(removeCredentials('docker.io', env), { removed: false, elsewhere: path.join(dir, '.docker', 'config.json') });
    assert.is(removeAllCredentials(env), authFileWritePath(env));
    assert.is(readCredentials('127.0.0.1:5001', env), undefined);
  });
});

test('auth files: a corrupt file or entry is reported with its name', () => {
  withTempHome((_dir, env) => {
    const file = authFileWritePath(env);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ not json');
    assert.throws(() => readCredentials('quay.io', env), (error: Error) => error.message.includes(file) && /not valid JSON/.test(error.message));
    assert.throws(() => storeCredentials('quay.io', { username: 'a', password: 'b' }, env), /not valid JSON/);
    fs.writeFileSync(file, JSON.stringify({ auths: { 'quay.io': { auth: encode('nocolon') } } }));
    assert.throws(() => readCredentials('quay.io', env), /malformed/);
  });
});

test.run();
