// Throwaway users for root tests: created without subordinate ids (useradd may assign ranges on
// its own through SUB_UID_MIN in login.defs, so any it did are removed), and deleted after.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';

export async function createUserWithoutSubIds(user: string): Promise<void> {
  await execa('userdel', [user], { reject: false }); // left over by an interrupted run
  await execa('useradd', ['-M', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', '-s', '/bin/sh', user]);
  for (const [file, flag] of [['/etc/subuid', '--del-subuids'], ['/etc/subgid', '--del-subgids']] as const) {
    const own = readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith(`${user}:`));
    for (const line of own) {
      const [, start, count] = line.split(':').map(Number);
      await execa('usermod', [flag, `${start}-${start! + count! - 1}`, user]);
    }
  }
}

/** userdel also removes the user's /etc/subuid and /etc/subgid lines; true when none is left. */
export async function removeUser(user: string): Promise<boolean> {
  await execa('userdel', [user], { reject: false });
  return ['/etc/subuid', '/etc/subgid'].every((file) => !readFileSync(file, 'utf8').includes(`${user}:`));
}
