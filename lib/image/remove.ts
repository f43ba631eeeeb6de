// `rootless rmi`: Docker's output ("Untagged: …", "Deleted: …"), every image tried even when one fails.
import { createInterface } from 'node:readline/promises';
import { RootlessError } from '../errors.js';
import { openStore } from './store.js';

export async function removeImages(references: string[], options: { force?: boolean; all?: boolean }): Promise<void> {
  const store = await openStore();
  const targets = options.all ? (await store.listImages()).map((image) => image.id) : references;
  if (targets.length === 0 && !options.all) throw new RootlessError('name at least one image to remove', { remedy: 'Use `rootless rmi IMAGE…` or `rmi -a`' });
  const failures: RootlessError[] = [];
  for (const target of targets) {
    try {
      const { untagged, deleted } = await store.removeImage(target, { force: options.force, allRepositories: options.all });
      for (const name of untagged) process.stdout.write(`Untagged: ${name}\n`);
      for (const id of deleted) process.stdout.write(`Deleted: ${id}\n`);
    } catch (error) {
      if (!(error instanceof RootlessError)) throw error;
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new RootlessError(`${failures.length} images were not removed: ${failures.map((failure) => failure.message).join('; ')}`);
}

/**
 * Docker's question before `image prune` without -f, asked only on a terminal: a script (stdin
 * not a terminal) has nobody to answer and goes ahead, as with -f.
 */
export async function confirmPrune(all: boolean): Promise<boolean> {
  if (!process.stdin.isTTY) return true;
  const what = all ? 'all images without at least one container associated to them' : 'all dangling images';
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
