// The e2e test setup, run by scripts/test.sh (as root in CI):
//   node dist/test/e2e/setup/main.js start ENV_FILE   starts both registries, pushes the test images,
//                                                     writes ENV_FILE (see env.ts)
//   node dist/test/e2e/setup/main.js stop ENV_FILE    kills the registries named in ENV_FILE
// Env: ROOTLESS_TEST_UID/ROOTLESS_TEST_GID (who runs the tests: owns registry storage and the
// escape dir), ROOTLESS_FIXTURES (dir of the Alpine minirootfs tarballs; default: shared/fixtures
// beside the repository or an ancestor of it), ROOTLESS_E2E_PORT (5000; the auth registry takes +1),
// ROOTLESS_E2E_LARGE_IMAGE=1 (also push test/large, ~55 MB: for `npm run bench`).
import { chownSync, chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pushTestImages } from './catalog.js';
import { readE2EEnv, type E2EEnv, type RegistryInfo } from './env.js';
import { registryPusher } from './push.js';
import { killLeftoverRegistries, startRegistry, stopRegistry } from './registry.js';

const CREDENTIALS = { username: 'testuser', password: 'testpassword' };

function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
}

/** $ROOTLESS_FIXTURES, else shared/fixtures beside the repository (where CI puts shared/) or beside an ancestor (worktrees). */
function fixturesDir(): string | undefined {
  if (process.env.ROOTLESS_FIXTURES) return existsSync(process.env.ROOTLESS_FIXTURES) ? process.env.ROOTLESS_FIXTURES : undefined;
  for (let dir = path.dirname(repoRoot()); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

function testUser(): { uid: number; gid: number } | undefined {
  const uid = Number(process.env.ROOTLESS_TEST_UID);
  const gid = Number(process.env.ROOTLESS_TEST_GID);
  return process.getuid?.() === 0 && uid > 0 && gid > 0 ? { uid, gid } : undefined;
}

/** The directory the evil images aim at, writable by the test user so that an escape would succeed. */
function makeEscapeDir(workDir: string, owner: { uid: number; gid: number } | undefined): string {
  const dir = path.join(workDir, 'escape');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  const victim = path.join(dir, 'victim');
  writeFileSync(victim, 'original\n');
  chmodSync(victim, 0o666);
  if (owner) for (const file of [dir, victim]) chownSync(file, owner.uid, owner.gid);
  return dir;
}

async function start(envFile: string): Promise<void> {
  const workDir = path.dirname(path.resolve(envFile));
  const owner = testUser();
  const port = Number(process.env.ROOTLESS_E2E_PORT || 5000);
  killLeftoverRegistries([port, port + 1]);
  const started: RegistryInfo[] = [];
  try {
    const plain = await startRegistry({ name: 'plain', port, workDir, owner });
    started.push(plain);
    const auth = await startRegistry({ name: 'auth', port: port + 1, workDir, owner, credentials: CREDENTIALS });
    started.push(auth);
    console.log(`setup: registries on ${plain.address} and ${auth.address} (basic auth), storage under ${workDir}`);
    const escapeDir = makeEscapeDir(workDir, owner);
    const fixtures = fixturesDir();
    const pushed = await pushTestImages({
      plain: registryPusher(plain.address),
      auth: registryPusher(auth.address, CREDENTIALS),
      plainAddress: plain.address,
      authAddress: auth.address,
      fixtures,
      escapeDir,
      largeImage: process.env.ROOTLESS_E2E_LARGE_IMAGE === '1',
    });
    const env: E2EEnv = { registries: { plain, auth }, ...pushed, escapeDir, workDir };
    writeFileSync(envFile, JSON.stringify(env, null, 2) + '\n', { mode: 0o644 });
    const count = Object.keys(pushed.images).length;
    console.log(`setup: pushed ${count} test images built from ${pushed.fixture === 'alpine' ? `the Alpine fixtures in ${fixtures}` : 'busybox-static (no Alpine fixtures found)'}`);
  } catch (error) {
    started.forEach(stopRegistry);
    throw error;
  }
}

function stop(envFile: string): void {
  if (!existsSync(envFile)) return;
  const env = readE2EEnv(envFile);
  stopRegistry(env.registries.plain);
  stopRegistry(env.registries.auth);
}

const [command, envFile] = process.argv.slice(2);
if ((command !== 'start' && command !== 'stop') || !envFile) {
  console.error('usage: main.js start|stop ENV_FILE');
  process.exit(2);
}
try {
  if (command === 'start') await start(envFile);
  else stop(envFile);
} catch (error) {
  console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
