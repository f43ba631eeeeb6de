// What the host must give before pasta or slirp4netns can work, checked up front so that a missing
// package or an unusable TUN device is one line with its fix instead of a helper's cryptic exit.
import { closeSync, constants, openSync } from 'node:fs';
import { RootlessError, errnoCode } from '../errors.js';
import { findHelper } from '../runtime/idmap.js';

export const TUN_DEVICE = '/dev/net/tun';

const INSTALL = {
  pasta: 'sudo apt install passt (Fedora: sudo dnf install passt)',
  slirp4netns: 'sudo apt install slirp4netns (Fedora: sudo dnf install slirp4netns)',
};

/** The helper's path, or a RootlessError naming the package to install. */
export function requireHelper(name: 'pasta' | 'slirp4netns'): string {
  const found = findHelper(name);
  if (found) return found;
  throw new RootlessError(`${name} is not installed, and --network ${name} needs it`, {
    remedy: `Install it: ${INSTALL[name]}; or use --network none or --network host`,
  });
}

/** pasta is the default where it is installed (as in Podman 5), slirp4netns otherwise. */
export function pastaInstalled(): boolean {
  return findHelper('pasta') !== undefined;
}

/**
 * Whether the default network of a container is pasta. A detached container prefers slirp4netns:
 * it lives on, and its host side then stays small (slirp4netns ~3 MB resident, pasta ~31 MB:
 * Podman's own detached container with slirp4netns takes 5.9 MB in all).
 */
export function defaultIsPasta(detached: boolean): boolean {
  if (!detached) return pastaInstalled();
  return findHelper('slirp4netns') === undefined && pastaInstalled();
}

/** For the default network: neither helper being there is its own message. */
export function defaultHelperMissing(): RootlessError {
  return new RootlessError('neither pasta nor slirp4netns is installed, and the container network needs one of them', {
    remedy: `Install one: ${INSTALL.pasta}, or ${INSTALL.slirp4netns}; or use --network none or --network host`,
  });
}

/** Both helpers open the TUN device inside the container's namespaces: it must be there and read-write for us. */
export function requireTunDevice(device = TUN_DEVICE): void {
  let fd: number;
  try {
    fd = openSync(device, constants.O_RDWR);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV') {
      throw new RootlessError(`${device} does not exist, and pasta and slirp4netns need the TUN device`, {
        remedy: 'Load the tun module: sudo modprobe tun; or use --network none or --network host',
        cause: error,
      });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new RootlessError(`${device} is not readable and writable by this user, and pasta and slirp4netns need it`, {
        remedy: `Allow it: sudo chmod 666 ${device} (for good: a udev rule KERNEL=="tun", MODE="0666" in /etc/udev/rules.d/99-tun.rules); or use --network none or --network host`,
        cause: error,
      });
    }
    throw new RootlessError(`cannot open ${device}: ${(error as Error).message}`, { cause: error });
  }
  closeSync(fd);
}
