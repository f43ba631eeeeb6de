#!/usr/bin/env node
// `npm run bench`: rootless against podman on this machine, both talking to a local registry.
// Starts the e2e setup's registries (on 5000/5001, or 5100/5101… when those are taken) with the
// small test image and a ~55 MB one (test/large), then measures, as the user who runs it:
//   cold pull (fresh store each run, median of 5) of the small and the large image,
//   warm `run --rm --network=none IMAGE true` (median of 20, alternating with podman),
//   `node -e 0` (what any Node CLI pays before its first line), and where one run and one pull
//   spend their time (ROOTLESS_TIMING=1).
// Prints one table with the ratio rootless/podman and the project's targets. The registries are
// stopped and every temp dir removed at the end, also on ^C. Needs a build (`npm run build`).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOTLESS = path.join(REPO, 'bin', 'rootless');
const SETUP = path.join(REPO, 'dist', 'test', 'e2e', 'setup', 'main.js');
const PULL_RUNS = 5;
/** Podman's warm run on the development machines (issue #3), for hosts where podman cannot run. */
const PODMAN_RUN_SECONDS = 0.39;
const RUN_RUNS = 20;
const COMMAND_TIMEOUT_MS = 300_000;
const isRoot = process.getuid() === 0;

function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** 5000 when it and 5001 are free (the e2e tests' ports), else the first free pair of 5100, 5200, … 5500. */
async function freePorts() {
  for (const port of [5000, 5100, 5200, 5300, 5400, 5500]) {
    if (!(await portAnswers(port)) && !(await portAnswers(port + 1))) return port;
  }
  throw new Error('no free pair of ports among 5000…5501 for the registries');
}

/** Runs a command; returns its duration in seconds, or throws with its stderr. */
function timed(file, args, env) {
  const start = performance.now();
  const result = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) {
    const said = (result.stderr || result.error?.message || '').split('\n').filter((line) => line && !line.includes('is not a shared mount'));
    throw new Error(`${path.basename(file)} ${args.filter((arg) => !arg.startsWith('/')).join(' ')} exited ${result.status ?? result.signal}: ${said.at(-1) ?? ''}`.trim());
  }
  return seconds;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Files of subordinate ids cannot be removed by a user directly: a user namespace with its ranges can. */
function removeTree(dir) {
  if (!existsSync(dir)) return;
  if (!isRoot) spawnSync(ROOTLESS, ['unshare', 'rm', '-rf', dir], { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
  rmSync(dir, { recursive: true, force: true });
}

/** The two tools, each with a store of its own under `dir`. */
function tools(work) {
  const rootlessEnv = (store) => ({ ...process.env, ROOTLESS_STORE: store, ROOTLESS_RUNTIME_DIR: path.join(work, 'rootless-run') });
  const podmanArgs = (store) => [
    '--root', path.join(store, 'root'), '--runroot', path.join(store, 'rr'),
    '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
  ];
  return {
    rootless: {
      pull: (store, image) => timed(ROOTLESS, ['pull', '--quiet', image], rootlessEnv(store)),
      run: (store, image) => timed(ROOTLESS, ['run', '--rm', '--network=none', image, 'true'], rootlessEnv(store)),
    },
    podman: {
      pull: (store, image) => timed('podman', [...podmanArgs(store), 'pull', '--quiet', '--tls-verify=false', image], process.env),
      run: (store, image) => timed('podman', [...podmanArgs(store), 'run', '--rm', '--network=none', image, 'true'], process.env),
      // podman keeps a mount on its storage and files of subordinate ids: it undoes both itself
      remove: (store) => {
        spawnSync('podman', [...podmanArgs(store), 'system', 'reset', '--force'], { stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
        removeTree(store);
      },
    },
  };
}

/** A measurement that may fail (podman cannot run containers on every host): the failure is shown instead. */
function attempt(measure) {
  try {
    return { seconds: measure() };
  } catch (error) {
    return { error: error.message };
  }
}

function coldPulls(work, tool, name, image, remove) {
  const times = [];
  for (let index = 0; index < PULL_RUNS; index++) {
    const store = path.join(work, `${name}-${index}`);
    mkdirSync(store, { mode: 0o755 });
    try {
      times.push(tool.pull(store, image));
    } finally {
      remove(store);
    }
  }
  return median(times);
}

function warmRuns(work, both, image) {
  const stores = { rootless: path.join(work, 'rl-warm'), podman: path.join(work, 'pm-warm') };
  const result = {};
  const times = { rootless: [], podman: [] };
  for (const name of Object.keys(stores)) {
    if (!both[name]) continue;
    mkdirSync(stores[name], { mode: 0o755 });
    const ready = attempt(() => {
      both[name].pull(stores[name], image);
      return both[name].run(stores[name], image); // the first run may prepare what later runs reuse
    });
    if (ready.error) result[name] = { error: ready.error };
  }
  for (let index = 0; index < RUN_RUNS; index++) {
    for (const name of Object.keys(stores)) {
      if (both[name] && !result[name]) times[name].push(both[name].run(stores[name], image));
    }
  }
  for (const name of Object.keys(stores)) if (!result[name] && both[name]) result[name] = { seconds: median(times[name]) };
  both.podman?.remove(stores.podman);
  return result;
}

/** One command with ROOTLESS_TIMING=1: its phases as [ms since the first mark, process, phase]. */
function phases(args, env) {
  const result = spawnSync(ROOTLESS, args, { env: { ...env, ROOTLESS_TIMING: '1' }, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  const marks = result.stderr
    .split('\n')
    .map((line) => /^timing (\d+(?:\.\d+)?) (\S+) (.+)$/.exec(line))
    .filter(Boolean)
    .map(([, at, who, phase]) => [Number(at), who, phase])
    .sort((a, b) => a[0] - b[0]);
  return marks.map(([at, who, phase]) => [`${(at - marks[0][0]).toFixed(1)} ms`, who, phase]);
}

function rssKb(pid) {
  const match = pid ? /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8')) : undefined;
  return match ? Number(match[1]) : 0;
}

/** Resident memory of a detached container's host-side processes: its monitor and its network helper. */
function detachedMemory(work, image, args) {
  const runtimeDir = path.join(work, 'rootless-run');
  const env = { ...process.env, ROOTLESS_STORE: path.join(work, 'rl-warm'), ROOTLESS_RUNTIME_DIR: runtimeDir };
  const run = spawnSync(ROOTLESS, ['run', '-d', ...args, image, 'sleep', '600'], { env, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS });
  if (run.status !== 0) throw new Error(`run -d ${args.join(' ')}: ${run.stderr.trim()}`);
  const id = run.stdout.trim();
  try {
    const state = JSON.parse(readFileSync(path.join(runtimeDir, 'containers', id, 'state.json'), 'utf8'));
    const monitor = rssKb(state.pid);
    return { monitor, total: monitor + rssKb(state.helperPid) };
  } finally {
    spawnSync(ROOTLESS, ['rm', '-f', id], { env, stdio: 'ignore', timeout: COMMAND_TIMEOUT_MS });
  }
}

/** Podman's host-side RSS of one detached container (conmon + slirp4netns; + rootlessport with -p), from issue #6. */
const PODMAN_DETACHED_KB = { plain: 5.9 * 1024, publish: 18.8 * 1024 };

function memoryRows(work, image, port) {
  const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
  const rows = [];
  // the default network of `run -d` (slirp4netns where installed), then each helper by name
  for (const network of [undefined, 'pasta', 'slirp4netns']) {
    for (const publish of [false, true]) {
      const args = [...(network ? [`--network=${network}`] : []), ...(publish ? ['-p', `127.0.0.1:${port}:80`] : [])];
      const target = publish ? PODMAN_DETACHED_KB.publish : PODMAN_DETACHED_KB.plain;
      try {
        const { monitor, total } = detachedMemory(work, image, args);
        rows.push([`run -d ${args.join(' ') || '(default network)'}`, mb(monitor), monitor <= 3 * 1024 ? 'met' : 'missed', mb(total), `${mb(target)} ${total <= target ? 'met' : 'missed'}`]);
      } catch (error) {
        rows.push([`run -d ${args.join(' ')}`, 'failed', '', error.message.split('\n')[0], '']);
      }
    }
  }
  return rows;
}

function row(what, ours, theirs, target) {
  const show = (cell) => (cell === undefined ? 'n/a' : cell.error ? 'failed' : `${cell.seconds.toFixed(3)} s`);
  const ratio = ours?.seconds !== undefined && theirs?.seconds !== undefined ? `${(ours.seconds / theirs.seconds).toFixed(2)}x` : '-';
  const met = ratio === '-' ? '' : ours.seconds / theirs.seconds <= target ? ' met' : ' missed';
  return [what, show(ours), show(theirs), ratio, `<= ${target}x${met}`];
}

function printTable(header, rows) {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((cells) => cells[column].length)));
  for (const cells of [header, ...rows]) console.log(cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
}

async function main() {
  if (!existsSync(SETUP)) throw new Error('no build: run `npm run build` first');
  const hasPodman = spawnSync('podman', ['--version'], { stdio: 'ignore' }).status === 0;
  const work = mkdtempSync('/tmp/rlbench.'); // short: podman refuses a runroot path over 50 characters
  chmodSync(work, 0o755); // real root's containers run as 100000…: they must reach the stores
  mkdirSync(path.join(work, 'rootless-run'), { mode: 0o755 });
  const envFile = path.join(work, 'env.json');
  const port = await freePorts();
  const stop = () => {
    spawnSync(process.execPath, [SETUP, 'stop', envFile], { stdio: 'inherit' });
    removeTree(work);
  };
  const interrupted = () => {
    stop();
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    console.log(`bench: starting registries on 127.0.0.1:${port} and pushing the test images (with test/large)…`);
    const setup = spawnSync(process.execPath, [SETUP, 'start', envFile], {
      env: { ...process.env, ROOTLESS_E2E_PORT: String(port), ROOTLESS_E2E_LARGE_IMAGE: '1' },
      stdio: 'inherit',
      timeout: COMMAND_TIMEOUT_MS,
    });
    if (setup.status !== 0) throw new Error('the registry setup failed (see above)');
    const images = JSON.parse(readFileSync(envFile, 'utf8')).images;
    const small = images.alpine;
    const large = images.large;
    const mb = (image) => (image.layers.reduce((sum, layer) => sum + layer.size, 0) / 1e6).toFixed(1);
    const both = tools(work);
    const podman = hasPodman ? both.podman : undefined;
    const notes = [];
    const pulls = (image, name) => {
      const ours = attempt(() => coldPulls(work, both.rootless, `rl-${name}`, image.reference, removeTree));
      const theirs = podman ? attempt(() => coldPulls(work, podman, `pm-${name}`, image.reference, podman.remove)) : undefined;
      for (const cell of [ours, theirs]) if (cell?.error) notes.push(cell.error);
      return [ours, theirs];
    };
    console.log(`bench: cold pulls (${PULL_RUNS} each)…`);
    const smallPull = pulls(small, 'small');
    const largePull = pulls(large, 'large');
    console.log(`bench: warm runs (${RUN_RUNS} each, alternating)…`);
    const warm = warmRuns(work, { rootless: both.rootless, podman }, small.reference);
    for (const cell of [warm.rootless, warm.podman]) if (cell?.error) notes.push(cell.error);
    const node = median(Array.from({ length: RUN_RUNS }, () => timed(process.execPath, ['-e', '0'], process.env)));

    const who = `${os.userInfo().username} (uid ${process.getuid()})`;
    console.log(`\nrootless vs ${hasPodman ? spawnSync('podman', ['--version'], { encoding: 'utf8' }).stdout.trim() : 'podman (not installed)'}, both run as ${who}, registry 127.0.0.1:${port} over plain HTTP, medians`);
    printTable(['what', 'rootless', 'podman', 'ratio', 'target'], [
      row(`cold pull ${small.reference.split('/').slice(1).join('/')} (${mb(small)} MB), n=${PULL_RUNS}`, smallPull[0], smallPull[1], 0.5),
      row(`cold pull ${large.reference.split('/').slice(1).join('/')} (${mb(large)} MB), n=${PULL_RUNS}`, largePull[0], largePull[1], 0.5),
      row(`warm run --rm --network=none alpine true, n=${RUN_RUNS}`, warm.rootless, warm.podman, 0.33),
    ]);
    if (warm.podman?.error) console.log(`podman cannot run containers here; issue #3 puts it at ${PODMAN_RUN_SECONDS} s on the development machines: ${warm.rootless?.seconds !== undefined ? `${(warm.rootless.seconds / PODMAN_RUN_SECONDS).toFixed(2)}x of that` : ''}`);
    console.log(`\nwhere the time goes (ROOTLESS_TIMING=1; node -e 0 alone takes ${(node * 1000).toFixed(0)} ms):`);
    const warmEnv = { ...process.env, ROOTLESS_STORE: path.join(work, 'rl-warm'), ROOTLESS_RUNTIME_DIR: path.join(work, 'rootless-run') };
    console.log('one warm run --rm --network=none:');
    printTable(['at', 'process', 'phase'], phases(['run', '--rm', '--network=none', small.reference, 'true'], warmEnv));
    const pullStore = path.join(work, 'rl-phases');
    mkdirSync(pullStore, { mode: 0o755 });
    console.log(`one cold pull of ${small.reference}:`);
    printTable(['at', 'process', 'phase'], phases(['pull', '--quiet', small.reference], { ...warmEnv, ROOTLESS_STORE: pullStore }));
    removeTree(pullStore);
    console.log('\nhost-side resident memory of one detached container (monitor <= 3 MB; all of them <= podman\'s)');
    printTable(['what', 'monitor', '<= 3 MB', 'monitor + helper', 'podman (issue #6)'], memoryRows(work, small.reference, await freePorts()));
    for (const note of [...new Set(notes)]) console.log(`note: ${note}`);
  } finally {
    stop();
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
