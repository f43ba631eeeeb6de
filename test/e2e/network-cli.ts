// Stands in for the CLI in e2e tests: starts a network against PID, prints the helper's pid as one
// JSON line and waits to be killed; a RootlessError is printed as the CLI prints it (exit 125).
import { RootlessError } from '../../lib/errors.js';
import { parseNetwork, startNetwork } from '../../lib/net/index.js';

const [mode, pid] = process.argv.slice(2);
try {
  const network = await startNetwork(parseNetwork(mode, () => true), Number(pid), {});
  process.stdout.write(`${JSON.stringify({ helperPid: network.helperPid })}\n`);
  setInterval(() => undefined, 60_000);
} catch (error) {
  if (!(error instanceof RootlessError)) throw error;
  process.stderr.write(`Error: ${error.line}\n`);
  process.exitCode = error.exitCode;
}
