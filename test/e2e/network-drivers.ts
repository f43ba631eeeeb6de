// The end-to-end checks every forwarding driver (pasta, slirp4netns) must pass, as one uvu suite
// per driver: a namespace held like stage 1 holds it, the driver started against its pid, and
// the result observed from inside (busybox ip, a node probe) and from the host (127.0.0.1 only).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runtimeDir } from '../../lib/paths.js';
import { parseNetwork, parsePublish, reservePorts, startNetwork, type RunningNetwork } from '../../lib/net/index.js';
import { childEnv, eventually, holdNetworkNamespace, httpGet, processAlive, udpExchange, type Holder } from './netns-holder.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), 'network-cli.js');

/** The helper's state directory under runtimeDir()/network, found by its helper.pid. */
function stateDirOf(helperPid: number): string | undefined {
  const root = path.join(runtimeDir(), 'network');
  return readdirSync(root).find((name) => {
    try {
      return readFileSync(path.join(root, name, 'helper.pid'), 'utf8') === String(helperPid);
    } catch {
      return false;
    }
  });
}

export interface DriverExpectations {
  /** The --network value. */
  network: string;
  /** A --network value under which published UDP answers reach a 127.0.0.1 client (see the report). */
  udpNetwork: string;
  /** UDP publish with host port = container port (pasta of 2023-03 loses replies when host port > container port). */
  udpSamePort: boolean;
  interfaceName: string;
  /** Expected `inet` of the interface, e.g. 10.0.2.100/24. */
  address: RegExp;
  defaultRoute: RegExp;
  nameserver: string;
  /** The client address the server inside sees for a connection from the host's 127.0.0.1. */
  sourceAddress: string;
}

/** Runs `body` with a held namespace and a started network; everything is stopped afterwards. */
async function withNetwork(network: string, publish: string[], body: (holder: Holder, running: RunningNetwork) => Promise<void>): Promise<void> {
  const holder = await holdNetworkNamespace();
  let running: RunningNetwork | undefined;
  try {
    await holder.serve(80, 5353, 'probe');
    const ports = await reservePorts(publish.flatMap(parsePublish));
    running = await startNetwork(parseNetwork(network, () => true), holder.pid, { ports, hostname: 'box' });
    await body(holder, running);
  } finally {
    await running?.stop();
    await holder.kill();
  }
}

export function driverSuite(name: string, expect: DriverExpectations) {
  const test = suite(name);

  test('the interface has its address, a default route and MTU 65520; lo is up', async () => {
    await withNetwork(expect.network, [], async (holder, running) => {
      const addresses = (await holder.run(['busybox', 'ip', 'addr'])).stdout;
      assert.match(addresses, new RegExp(`\\d+: ${expect.interfaceName}: <[^>]*UP[^>]*> mtu 65520`));
      assert.match(addresses, expect.address);
      assert.match(addresses, /1: lo: <LOOPBACK,UP/);
      assert.match((await holder.run(['busybox', 'ip', 'route'])).stdout, expect.defaultRoute);
      assert.ok(addresses.includes(`inet ${running.containerAddress}/`), `containerAddress ${running.containerAddress}`);
      assert.match(running.resolvConf, new RegExp(`^nameserver ${expect.nameserver.replace(/\./g, '\\.')}\n`));
      assert.equal(running.hostsEntries[0], { address: running.containerAddress, names: ['box'] });
      assert.ok(running.helperPid && processAlive(running.helperPid));
    });
  });

  test('a TCP server inside answers on the published host port', async () => {
    await withNetwork(expect.network, ['127.0.0.1::80'], async (_holder, running) => {
      const [port] = running.ports;
      assert.is(port!.hostIP, '127.0.0.1');
      assert.is(await httpGet(port!.hostPort), `probe ${expect.sourceAddress}`);
    });
  });

  test('UDP is forwarded both ways', async () => {
    const holder = await holdNetworkNamespace();
    let running: RunningNetwork | undefined;
    try {
      const [reserved] = await reservePorts(parsePublish('127.0.0.1::5353/udp'));
      const port = { ...reserved!, containerPort: expect.udpSamePort ? reserved!.hostPort : 5353 };
      await holder.serve(80, port.containerPort, 'udp');
      running = await startNetwork(parseNetwork(expect.udpNetwork, () => true), holder.pid, { ports: [port] });
      assert.match(await udpExchange(port.hostPort, 'ping'), /^udp ping /);
    } finally {
      await running?.stop();
      await holder.kill();
    }
  });

  test('two namespaces publish the same container port on different host ports', async () => {
    await withNetwork(expect.network, ['127.0.0.1::80'], async (_first, one) => {
      const second = await holdNetworkNamespace();
      let two: RunningNetwork | undefined;
      try {
        await second.serve(80, 5353, 'second');
        two = await startNetwork(parseNetwork(expect.network, () => true), second.pid, { ports: await reservePorts(parsePublish('127.0.0.1::80')) });
        assert.is.not(one.ports[0]!.hostPort, two.ports[0]!.hostPort);
        assert.match(await httpGet(one.ports[0]!.hostPort), /^probe /);
        assert.match(await httpGet(two.ports[0]!.hostPort), /^second /);
      } finally {
        await two?.stop();
        await second.kill();
      }
    });
  });

  test('stop() ends the helper and frees the port', async () => {
    await withNetwork(expect.network, ['127.0.0.1::80'], async (_holder, running) => {
      await running.stop();
      assert.not.ok(processAlive(running.helperPid!));
      await running.stop(); // twice is fine
      await reservePorts(parsePublish(`127.0.0.1:${running.ports[0]!.hostPort}:80`));
    });
  });

  test('the helper goes away when the namespace holder is SIGKILLed', async () => {
    const holder = await holdNetworkNamespace();
    let running: RunningNetwork | undefined;
    try {
      running = await startNetwork(parseNetwork(expect.network, () => true), holder.pid, {});
      await holder.kill();
      assert.ok(await eventually(() => !processAlive(running!.helperPid!)), 'helper still running');
    } finally {
      await running?.stop();
      await holder.kill();
    }
  });

  test('the helper dies with the CLI when the CLI is SIGKILLed', async () => {
    const holder = await holdNetworkNamespace();
    const cli = spawn(process.execPath, [CLI, expect.network, String(holder.pid)], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() });
    let helperPid = 0;
    try {
      const line = await new Promise<string>((resolve, reject) => {
        cli.stdout!.once('data', (data) => resolve(String(data)));
        cli.once('exit', (code) => reject(new Error(`network-cli exited with ${code}`)));
      });
      helperPid = (JSON.parse(line) as { helperPid: number }).helperPid;
      assert.ok(processAlive(helperPid));
      cli.kill('SIGKILL');
      assert.ok(await eventually(() => !processAlive(helperPid)), 'helper outlived the CLI');
      // the dead CLI left its state directory; the next start sweeps it away
      assert.ok(stateDirOf(helperPid), 'state directory of the killed CLI');
      await withNetwork(expect.network, [], async () => undefined);
      assert.is(stateDirOf(helperPid), undefined);
    } finally {
      cli.kill('SIGKILL');
      if (helperPid && processAlive(helperPid)) process.kill(helperPid, 'SIGKILL');
      await holder.kill();
    }
  });

  return test;
}
