// Commands that take several containers (stop a b c): each is done in turn, a failure is one
// error line and does not stop the others; the exit status is the last failure's.
import type { ContainerView } from '../container/status.js';
import { printError } from './print-error.js';

/**
 * Runs `action` on each named container; prints the line it returns. With `lock`, under the
 * container's lock, on its status read after taking it.
 */
export async function eachContainer(
  names: string[],
  action: (view: ContainerView, name: string) => Promise<string | undefined>,
  lock = false,
): Promise<number> {
  const [{ findContainerView }, { withContainerLock }] = await Promise.all([import('../container/view.js'), import('../container/lock.js')]);
  let status = 0;
  for (const name of names) {
    try {
      const found = await findContainerView(name);
      const act = async () => action(await findContainerView(found.state.id), name);
      const line = lock ? await withContainerLock(found.state, act) : await act();
      if (line !== undefined) process.stdout.write(`${line}\n`);
    } catch (error) {
      status = printError(error);
    }
  }
  return status;
}
