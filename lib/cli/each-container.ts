// Commands that take several containers (stop a b c): each is done in turn, a failure is one
// error line and does not stop the others; the exit status is the last failure's.
import type { ContainerView } from '../container/status.js';
import { printError } from './print-error.js';

/** Runs `action` on each named container; prints the line it returns. */
export async function eachContainer(names: string[], action: (view: ContainerView, name: string) => Promise<string | undefined>): Promise<number> {
  const { findContainerView } = await import('../container/view.js');
  let status = 0;
  for (const name of names) {
    try {
      const line = await action(await findContainerView(name), name);
      if (line !== undefined) process.stdout.write(`${line}\n`);
    } catch (error) {
      status = printError(error);
    }
  }
  return status;
}
