import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseToml } from '../../../lib/image/toml-subset.js';
import {
  findRule,
  isLoopbackRegistry,
  loadRegistriesConf,
  parseRegistriesConf,
  pullEndpoints,
  registriesConfPath,
} from '../../../lib/image/registries-conf.js';

const SAMPLE = `
# comment
unqualified-search-registries = ["docker.io", 'quay.io']  # trailing comment
short-name-mode = "enforcing"

[[registry]]
prefix = "docker.io"
location = "docker.io"

  [[registry.mirror]]
  location = "127.0.0.1:5002/hub"
  insecure = true

  [[registry.mirror]]
  location = "mirror.example.com"

[[registry]]
location = "10.0.0.5:5000"
insecure = true

[[registry]]
prefix = "example.com/team"
location = "internal.example.com/mirror/team"
mirror-by-digest-only = true
[[registry.mirror]]
location = "cache.example.com"

[[registry]]
location = "evil.example.com"
blocked = true

[aliases]
"alpine" = "docker.io/library/alpine"
`;

test('TOML subset: tables, arrays of tables, strings, booleans, numbers, arrays', () => {
  const toml = parseToml(
    'a = "x\\ty\\u00e9"\nb = true\nc = -12_000\nd = [\n  "p", # one\n  "q",\n]\n[t.u]\ne = \'raw\\n\'\n[[list]]\nk = 1\n[[list]]\nk = 2\n[[list.sub]]\nz = false\n',
  );
  assert.equal(toml, {
    a: 'x\tyé',
    b: true,
    c: -12000,
    d: ['p', 'q'],
    t: { u: { e: 'raw\\n' } },
    list: [{ k: 1 }, { k: 2, sub: [{ z: false }] }],
  });
});

test('TOML subset: errors name the line', () => {
  assert.throws(() => parseToml('a = "x"\nb = "unterminated\n', 'f.conf'), /f\.conf: line 2: unterminated string/);
  assert.throws(() => parseToml('a = 1\na = 2\n'), /line 2: "a" is defined twice/);
  assert.throws(() => parseToml('a = nope\n'), /unsupported value "nope"/);
  assert.throws(() => parseToml('a = "x" y\n'), /unexpected text after the value/);
  assert.throws(() => parseToml('a = """x"""\n'), /multi-line strings are not supported/);
});

test('registries.conf: registries, mirrors and flags', () => {
  const conf = parseRegistriesConf(SAMPLE, 'sample.conf');
  assert.is(conf.registries.length, 4);
  const [hub, plain, team, evil] = conf.registries;
  assert.equal(hub.mirrors, [
    { location: '127.0.0.1:5002/hub', insecure: true },
    { location: 'mirror.example.com', insecure: false },
  ]);
  assert.is(plain.prefix, '10.0.0.5:5000');
  assert.ok(plain.insecure);
  assert.ok(team.mirrorByDigestOnly);
  assert.ok(evil.blocked);
});

test('registries.conf: the longest matching prefix wins, at path boundaries', () => {
  const conf = parseRegistriesConf(SAMPLE);
  assert.is(findRule(conf, 'example.com', 'team/app')?.location, 'internal.example.com/mirror/team');
  assert.is(findRule(conf, 'example.com', 'teamster/app'), undefined);
  assert.is(findRule(conf, 'index.docker.io', 'library/alpine')?.prefix, 'docker.io');
});

test('registries.conf: pull endpoints list mirrors first and rewrite the repository', () => {
  const conf = parseRegistriesConf(SAMPLE);
  assert.equal(pullEndpoints(conf, 'docker.io', 'library/alpine', false), [
    { registry: '127.0.0.1:5002', repository: 'hub/library/alpine', insecure: true, mirror: true },
    { registry: 'mirror.example.com', repository: 'library/alpine', insecure: false, mirror: true },
    { registry: 'docker.io', repository: 'library/alpine', insecure: false, mirror: false },
  ]);
  assert.equal(pullEndpoints(conf, 'example.com', 'team/app', false), [
    { registry: 'internal.example.com', repository: 'mirror/team/app', insecure: false, mirror: false },
  ]);
  assert.equal(pullEndpoints(conf, 'example.com', 'team/app', true)[0], { registry: 'cache.example.com', repository: 'app', insecure: false, mirror: true });
  assert.equal(pullEndpoints(conf, 'quay.io', 'x/y', false), [{ registry: 'quay.io', repository: 'x/y', insecure: false, mirror: false }]);
  assert.throws(() => pullEndpoints(conf, 'evil.example.com', 'x', false), /blocked by registries\.conf/);
});

test('registries.conf: a prefix alone is its own location; the version 1 lists are read', () => {
  const conf = parseRegistriesConf('[[registry]]\nprefix = "b.io"\nblocked = true\n[registries.insecure]\nregistries = ["10.1.1.1:5000"]\n[registries.block]\nregistries = ["c.io"]\n');
  assert.throws(() => pullEndpoints(conf, 'b.io', 'x', false), /blocked/);
  assert.throws(() => pullEndpoints(conf, 'c.io', 'x', false), /blocked/);
  assert.equal(pullEndpoints(conf, '10.1.1.1:5000', 'x', false), [{ registry: '10.1.1.1:5000', repository: 'x', insecure: true, mirror: false }]);
  assert.throws(() => parseRegistriesConf('[registries.insecure]\nregistries = "x.io"\n'), /must be a list of hosts/);
});

test('registries.conf: invalid entries are named', () => {
  assert.throws(() => parseRegistriesConf('[[registry]]\ninsecure = true\n'), /needs a location or a prefix/);
  assert.throws(() => parseRegistriesConf('[[registry]]\nlocation = "http://x.io"\n'), /must not have a URL scheme/);
  assert.throws(() => parseRegistriesConf('[[registry]]\nlocation = "x.io"\ninsecure = "yes"\n'), /"insecure" must be a boolean/);
});

test('loopback registries are plain HTTP by default', () => {
  for (const host of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000']) assert.ok(isLoopbackRegistry(host), host);
  for (const host of ['docker.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1']) assert.not.ok(isLoopbackRegistry(host), host);
});

test('the file: $ROOTLESS_REGISTRIES_CONF, then $XDG_CONFIG_HOME/rootless, and none is no rules', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootless-conf-'));
  try {
    const user = path.join(dir, 'rootless', 'registries.conf');
    fs.mkdirSync(path.dirname(user));
    fs.writeFileSync(user, '[[registry]]\nlocation = "a.io"\ninsecure = true\n');
    assert.is(registriesConfPath({ XDG_CONFIG_HOME: dir }), user);
    assert.ok(loadRegistriesConf({ XDG_CONFIG_HOME: dir }).registries[0].insecure);
    const explicit = path.join(dir, 'other.conf');
    assert.is(registriesConfPath({ XDG_CONFIG_HOME: dir, ROOTLESS_REGISTRIES_CONF: explicit }), explicit);
    assert.equal(loadRegistriesConf({ ROOTLESS_REGISTRIES_CONF: explicit }).registries, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
