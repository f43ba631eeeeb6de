// `rootless run -t`: the container's own terminal, driven through a pseudo-terminal of the host
// (util-linux `script`), as the unprivileged test user.
import { openSync, closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setWindowSize } from '../../lib/sys/terminal.js';
import { e2e } from './harness.js';
import { ptySession, shellQuote } from './pty-session.js';
import { BIN, pullIntoSandbox, rootless } from './run-helpers.js';

const { box, image, env } = await pullIntoSandbox('tty', e2e.images.alpine.reference);

test.after(() => box.cleanup());

/** `rootless run --rm FLAGS IMAGE sh -c SCRIPT` as a shell command line. */
function runLine(flags: string[], script: string): string {
  return [BIN, 'run', '--rm', ...flags, image, 'sh', '-c', script].map(shellQuote).join(' ');
}

/** The lines of the session's output between two markers the test printed. */
function between(output: string, start: string, end: string): string[] {
  const text = output.slice(output.indexOf(start) + start.length, output.indexOf(end));
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

test('-it: the container has /dev/pts/0 of its own, the host window size and TERM; the host terminal is restored', async () => {
  const session = ptySession(
    `stty rows 33 cols 101; echo "before $(stty -g)"; ${runLine(['-it'], 'echo BEGIN; tty; stty size; echo $TERM; echo END')}; echo "status $?"; echo "after $(stty -g)"`,
    env,
  );
  assert.is(await session.exit, 0, session.output());
  const output = session.output();
  assert.equal(between(output, 'BEGIN', 'END'), ['/dev/pts/0', '33 101', 'xterm'], output);
  assert.match(output, /status 0/);
  const before = /before (\S+)/.exec(output)?.[1];
  assert.ok(before, output);
  assert.is(/after (\S+)/.exec(output)?.[1], before, 'stty -g after the session equals stty -g before it');
});

test('Ctrl-C typed on the terminal interrupts the foreground process in the container', async () => {
  const session = ptySession(runLine(['-it'], 'trap "echo trapped" INT; echo ready; sleep 30; echo "sleep status $?"'), env);
  await session.waitFor(/ready/);
  session.write('\x03');
  await session.exit;
  assert.match(session.output(), /sleep status 130/, `sleep did not die of SIGINT from the terminal: ${JSON.stringify(session.output())}`);
});

test('the window size follows the host terminal (SIGWINCH)', async () => {
  const ttyFile = path.join(box.dir, 'host-tty');
  const session = ptySession(`tty > ${shellQuote(ttyFile)}; stty rows 20 cols 70; ${runLine(['-it'], 'echo ready; while read line; do stty size; done')}`, env);
  await session.waitFor(/ready/);
  const hostTerminal = openSync(readFileSync(ttyFile, 'utf8').trim(), 'r+');
  setWindowSize(hostTerminal, { rows: 41, columns: 123 });
  closeSync(hostTerminal);
  // SIGWINCH and the typed line race in the CLI: ask again until the new size shows (bounded)
  for (let attempt = 0; attempt < 100 && !/41 123/.test(session.output()); attempt += 1) {
    session.write('\r');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  session.write('\x04'); // end of input for `read`
  await session.exit;
  assert.match(session.output(), /41 123/);
});

test('an error after the terminal is attached is one line, with the exit code, and the host terminal restored', async () => {
  const session = ptySession(`echo "before $(stty -g)"; ${[BIN, 'run', '--rm', '-it', image, 'no-such-command'].map(shellQuote).join(' ')}; echo "status $?"; echo "after $(stty -g)"`, env);
  await session.exit;
  const output = session.output();
  assert.match(output, /status 127/);
  assert.match(output, /Error: exec: "no-such-command": executable file not found in \$PATH/);
  assert.is(/after (\S+)/.exec(output)?.[1], /before (\S+)/.exec(output)?.[1]);
});

test('-t without a host terminal still gives the container one, and passes the exit code on', () => {
  const result = rootless(['run', '--rm', '-t', image, 'sh', '-c', 'tty; exit 3'], env);
  assert.is(result.exitCode, 3, result.stderr);
  assert.is(result.stdout, '/dev/pts/0\r\n');
});

test('-t with -u: the terminal belongs to the container user', () => {
  const result = rootless(['run', '--rm', '-t', '-u', '1000:1000', image, 'sh', '-c', 'stat -c "%u %a" $(tty)'], env);
  assert.is(result.exitCode, 0, result.stderr);
  assert.is(result.stdout.trim(), '1000 620');
});

test.run();
