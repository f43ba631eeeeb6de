import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RootlessError } from '../../../lib/errors.js';
import { canonicalReference, formatReference, manifestReference, parseReference, registryApiHost, repositoryName } from '../../../lib/image/reference.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

const valid: [string, string][] = [
  ['alpine', 'docker.io/library/alpine:latest'],
  ['alpine:3.20', 'docker.io/library/alpine:3.20'],
  ['user/app', 'docker.io/user/app:latest'],
  ['docker.io/alpine', 'docker.io/library/alpine:latest'],
  ['index.docker.io/library/alpine:edge', 'docker.io/library/alpine:edge'],
  ['registry-1.docker.io/user/app:1', 'docker.io/user/app:1'],
  ['quay.io/team/sub/app:v1.2_3-rc', 'quay.io/team/sub/app:v1.2_3-rc'],
  ['localhost/app', 'localhost/app:latest'],
  ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
  ['127.0.0.1:5000/test/alpine:3.20', '127.0.0.1:5000/test/alpine:3.20'],
  ['[::1]:5000/test/alpine', '[::1]:5000/test/alpine:latest'],
  ['[::1]/x', '[::1]/x:latest'],
  [`alpine@${DIGEST}`, `docker.io/library/alpine@${DIGEST}`],
  [`alpine:3.20@${DIGEST}`, `docker.io/library/alpine:3.20@${DIGEST}`],
  ['my-registry.example.com:443/a__b/c.d/e-f--g:TAG', 'my-registry.example.com:443/a__b/c.d/e-f--g:TAG'],
  ['Example.COM/app', 'Example.COM/app:latest'],
  [`app:${'t'.repeat(128)}`, `docker.io/library/app:${'t'.repeat(128)}`],
];

for (const [input, expected] of valid) {
  test(`parses ${input.slice(0, 60)}`, () => {
    assert.is(formatReference(parseReference(input)), expected);
  });
}

test('splits registry, repository, tag and digest', () => {
  assert.equal(parseReference('127.0.0.1:5000/test/alpine:3.20'), { registry: '127.0.0.1:5000', repository: 'test/alpine', tag: '3.20' });
  assert.equal(parseReference(`alpine@${DIGEST}`), { registry: 'docker.io', repository: 'library/alpine', digest: DIGEST });
  assert.equal(parseReference('[::1]:5000/a/b:c'), { registry: '[::1]:5000', repository: 'a/b', tag: 'c' });
});

test('canonicalReference is the name the store keeps; repositoryName its REPOSITORY column', () => {
  assert.is(canonicalReference(' alpine '), 'docker.io/library/alpine:latest');
  assert.is(canonicalReference('index.docker.io/library/alpine'), 'docker.io/library/alpine:latest');
  assert.is(repositoryName(parseReference(`127.0.0.1:5000/test/alpine:3.20@${DIGEST}`)), '127.0.0.1:5000/test/alpine');
  assert.throws(() => canonicalReference('Alpine'), /invalid image reference "Alpine"/);
});

test('the digest wins over the tag as the manifest reference', () => {
  assert.is(manifestReference(parseReference(`alpine:3.20@${DIGEST}`)), DIGEST);
  assert.is(manifestReference(parseReference('alpine:3.20')), '3.20');
});

test('docker.io is served by registry-1.docker.io', () => {
  assert.is(registryApiHost('docker.io'), 'registry-1.docker.io');
  assert.is(registryApiHost('127.0.0.1:5000'), '127.0.0.1:5000');
});

const invalid: [string, RegExp][] = [
  ['', /empty/],
  ['   ', /empty/],
  [' alpine', /spaces/],
  ['Alpine', /must be lowercase/],
  ['docker.io/Library/alpine', /must be lowercase/],
  ['quay.io/team/App:1', /must be lowercase/],
  ['alpine:', /tag after ":" is empty/],
  ['alpine:-bad', /tag "-bad"/],
  ['alpine:bad/tag', /not a valid registry/],
  ['alpine:b@d', /digest/],
  [`alpine:${'t'.repeat(129)}`, /129 characters long; at most 128/],
  [`alpine@sha256:${'a'.repeat(63)}`, /64 lowercase hex/],
  [`alpine@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
  [`alpine@md5:${'a'.repeat(32)}`, /not a sha256 digest/],
  ['quay.io/', /repository name is empty/],
  ['quay.io//app', /empty path component/],
  ['a..b/app', /not a valid registry/],
  ['host:99999/app', /not a valid registry/],
  ['[zz]:5000/app', /not a valid registry/],
  ['app_-x', /not a valid name component/],
  [`x/${'a'.repeat(260)}`, /longer than 255/],
];

for (const [input, message] of invalid) {
  test(`rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
    try {
      parseReference(input);
      assert.unreachable('should have thrown');
    } catch (error) {
      assert.instance(error, RootlessError);
      const rootless = error as RootlessError;
      assert.match(rootless.message, message);
      assert.is(rootless.exitCode, 125);
      assert.match(rootless.line, /Expected \[REGISTRY\[:PORT\]\/\]NAME\[:TAG\]\[@sha256:DIGEST\]/);
    }
  });
}

test.run();
