// `run --userns=auto` as root: each container gets a range of its own (from the `containers`
// entries of /etc/subuid and /etc/subgid, else the built-in pool), disjoint from every range in
// use, while all of them share the one copy of each layer.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { poolFrom } from '../../lib/runtime/id-ranges.js';
import { parseSubIdEntries, ROOT_DEFAULT_RANGE } from '../../lib/runtime/idmap.js';
import { e2e } from '../e2e/harness.js';
import type { RuntimeSpec } from '../../lib/spec/oci.js';
import { pullIntoSandbox, rootless, rootlessAsync, waitFor, watch } from '../e2e/run-helpers.js';

const { box, image, env } = await pullIntoSandbox('userns-auto', e2e.images.alpine.reference);
const pool = poolFrom(parseSubIdEntries(readFileSync('/etc/subuid', 'utf8'))).ranges;
const inPool = (start: number, size: number) => pool.some((range) => start >= range.start && start + size <= range.start + range.count);

test.after(() => box.cleanup());

function parseMap(text: string): number[] {
  return text.trim().split(/\s+/).map(Number);
}

test('two containers at once get disjoint ranges from the pool and share the layer dirs', async () => {
  const sync = mkdtempSync(path.join(box.dir, 'sync-'));
  chmodSync(sync, 0o1777);
  // each writes its map, then waits (bounded) until the test says go: both run at once meanwhile
  const script = (name: string) =>
    `cat /proc/self/uid_map > /sync/${name}; i=0; until [ -f /sync/go ]; do i=$((i+1)); [ $i -lt 600 ] || exit 9; sleep 0.1; done; ` +
    'cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /bin/busybox /etc/shadow';
  const first = watch(rootlessAsync(['run', '--rm', '--userns=auto', '-v', `${sync}:/sync`, image, 'sh', '-c', script('a')], env));
  const second = watch(rootlessAsync(['run', '--rm', '--userns=auto', '-v', `${sync}:/sync`, image, 'sh', '-c', script('b')], env));
  const bothRunning = await waitFor(() => existsSync(path.join(sync, 'a')) && existsSync(path.join(sync, 'b')), 30_000);
  // while both run: their bundles name the same layer dir of the store as the source of their
  // ID-mapped lower layer, and the store holds that one copy
  const containers = path.join(env.ROOTLESS_RUNTIME_DIR!, 'containers');
  const specs = readdirSync(containers).map((id) => JSON.parse(readFileSync(path.join(containers, id, 'config.json'), 'utf8')) as RuntimeSpec);
  writeFileSync(path.join(sync, 'go'), '');
  const [a, b] = await Promise.all([first.exit, second.exit]);
  assert.ok(bothRunning, 'the two containers did not run at the same time');
  assert.equal([a.code, b.code], [0, 0], `${first.stdout()}\n${second.stdout()}`);
  const layer = box.layerPath(e2e.images.alpine.layers[0]!.diffID);
  assert.is(specs.length, 2);
  for (const spec of specs) {
    const mounts = JSON.parse(spec.annotations!['org.rootless.idmapped-mounts']!) as { layers: Array<{ source: string }> };
    assert.equal(mounts.layers.map((entry) => entry.source), [layer]);
  }
  assert.equal(box.list('layers'), [path.basename(layer)]);
  const maps = [first.stdout(), second.stdout()].map((text) => text.split('\n')).map((lines) => ({
    uid: parseMap(lines[0]!),
    gid: parseMap(lines[1]!),
    owners: lines.slice(2, 4),
  }));
  for (const map of maps) {
    assert.equal([map.uid[0], map.uid[2], map.gid[0], map.gid[2]], [0, 65536, 0, 65536]);
    assert.ok(map.uid[1]! > 0 && map.gid[1]! > 0, 'container root is not host root');
    assert.ok(inPool(map.uid[1]!, 65536), `uid range ${map.uid[1]} outside the pool ${JSON.stringify(pool)}`);
    assert.ok(map.uid[1]! >= ROOT_DEFAULT_RANGE.start + ROOT_DEFAULT_RANGE.count || map.uid[1]! + 65536 <= ROOT_DEFAULT_RANGE.start);
    assert.equal(map.owners, ['0:0', '0:42'], "the shared layer shows its real owners inside each container");
  }
  const [one, two] = maps.map((map) => map.uid[1]!);
  assert.ok(one! + 65536 <= two! || two! + 65536 <= one!, `ranges overlap: ${one} and ${two}`);
  assert.equal(statSync(path.join(layer, 'bin/busybox')).uid, 0, 'the layer on disk is not chowned');
});

test("files a container creates land in its own range; a later container's range avoids kept containers", () => {
  const created = rootless(['run', '--userns=auto', image, 'sh', '-c', 'touch /mine && chown 1000 /mine; cat /proc/self/uid_map'], env);
  assert.is(created.exitCode, 0, created.stderr);
  const start = parseMap(created.stdout)[1]!;
  const [storage] = readdirSync(path.join(box.store, 'containers'));
  assert.is(statSync(path.join(box.store, 'containers', storage!, 'upper', 'mine')).uid, start + 1000);
  // the exited container keeps its bundle and upper dir: its range stays taken
  const next = rootless(['run', '--rm', '--userns=auto', image, 'cat', '/proc/self/uid_map'], env);
  assert.is(next.exitCode, 0, next.stderr);
  const nextStart = parseMap(next.stdout)[1]!;
  assert.ok(nextStart >= start + 65536 || nextStart + 65536 <= start, `range ${nextStart} reuses the kept container's ${start}`);
});

test('--userns=host and --uidmap onto host root are refused for root; --uidmap picks the range', () => {
  const host = rootless(['run', '--rm', '--userns=host', image, 'true'], env);
  assert.is(host.exitCode, 125);
  assert.match(host.stderr, "Error: --userns=host would make the container's root host root, which rootless never does.");
  const hostRoot = rootless(['run', '--rm', '--uidmap', '0:0:65536', image, 'true'], env);
  assert.is(hostRoot.exitCode, 125);
  assert.match(hostRoot.stderr, 'Error: --uidmap 0:0:65536 maps host root into the container.');
  const explicit = rootless(['run', '--rm', '--uidmap', '0:3000000:70000', image, 'sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; stat -c %u /bin/busybox'], env);
  assert.is(explicit.exitCode, 0, explicit.stderr);
  const lines = explicit.stdout.trim().split('\n');
  assert.equal(lines.slice(0, 2).map(parseMap), [[0, 3000000, 70000], [0, 3000000, 70000]]);
  assert.is(lines[2], '0');
});

test("a live CLI's reservation holds its range until the bundle is written; a dead one's is dropped", () => {
  const next = () => {
    const result = rootless(['run', '--rm', '--userns=auto', image, 'cat', '/proc/self/uid_map'], env);
    assert.is(result.exitCode, 0, result.stderr);
    return parseMap(result.stdout)[1]!;
  };
  const free = next();
  const reservations = path.join(env.ROOTLESS_RUNTIME_DIR!, 'userns-auto');
  const maps = { uidMappings: [{ containerID: 0, hostID: free, size: 65536 }], gidMappings: [{ containerID: 0, hostID: free, size: 65536 }] };
  const live = path.join(reservations, `${process.pid}.json`);
  writeFileSync(live, JSON.stringify(maps));
  assert.is.not(next(), free, 'a reserved range was handed out');
  const deadPid = spawnSync('true').pid!;
  const dead = path.join(reservations, `${deadPid}.json`);
  renameSync(live, dead);
  assert.is(next(), free);
  assert.not.ok(existsSync(dead), "the dead CLI's reservation is removed");
  assert.equal(readdirSync(reservations), [], 'each run drops its own reservation');
});

test('info names the pool --userns=auto takes ranges from', () => {
  const result = rootless(['info', '--format', 'json'], env);
  assert.is(result.exitCode, 0, result.stderr);
  const info = JSON.parse(result.stdout) as { idMapping: { autoPool: { source: string; uids: unknown[] } } };
  assert.equal(info.idMapping.autoPool.uids, pool);
  assert.match(info.idMapping.autoPool.source, /^the (containers entries|built-in pool)$/);
});

test.run();
