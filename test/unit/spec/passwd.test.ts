import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseGroup, parsePasswd, resolveUser } from '../../../lib/spec/passwd.js';

const passwd = parsePasswd('root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n# comment\nbroken line\n');
const groups = parseGroup('root:x:0:root\nwheel:x:10:root,app\napp:x:1000:\nstaff:x:50:app\n');

test('names resolve through /etc/passwd; gid and supplementary groups follow', () => {
  assert.equal(resolveUser({ user: 'app' }, passwd, groups), { uid: 1000, gid: 1000, additionalGids: [10, 50], home: '/home/app' });
  assert.equal(resolveUser({ user: 'root' }, passwd, groups), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
});

test('numeric ids need no entry; known ones still get their home and groups', () => {
  assert.equal(resolveUser({ user: '1000' }, passwd, groups).home, '/home/app');
  assert.equal(resolveUser({ user: '4242' }, passwd, groups), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  assert.equal(resolveUser({ user: '0' }, [], []), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
});

test('an explicit group replaces the primary gid', () => {
  assert.is(resolveUser({ user: 'app', group: 'staff' }, passwd, groups).gid, 50);
  assert.is(resolveUser({ user: '1000', group: '7' }, passwd, groups).gid, 7);
});

test('unknown names are errors that say where they looked', () => {
  assert.throws(() => resolveUser({ user: 'ghost' }, passwd, groups), /unable to find user ghost: no matching entries in the container's \/etc\/passwd/);
  assert.throws(() => resolveUser({ user: 'app', group: 'ghosts' }, passwd, groups), /unable to find group ghosts/);
  assert.throws(() => resolveUser({ user: '99999999999' }, passwd, groups), /out of range/);
});

test.run();
