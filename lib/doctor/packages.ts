// The install command for a host tool, in the distribution's own words.
import type { Distribution } from './types.js';

type Family = 'debian' | 'fedora' | 'arch' | 'suse' | 'alpine';

const installers: Record<Family, string> = {
  debian: 'sudo apt install',
  fedora: 'sudo dnf install',
  arch: 'sudo pacman -S',
  suse: 'sudo zypper install',
  alpine: 'sudo apk add',
};

/** Package names that differ from Debian's. */
const packageNames: Record<string, Partial<Record<Family, string>>> = {
  uidmap: { fedora: 'shadow-utils', arch: 'shadow', suse: 'shadow', alpine: 'shadow-uidmap' },
};

export function distributionFamily(distribution: Distribution): Family | undefined {
  const ids = [distribution.id, ...distribution.idLike];
  if (ids.some((id) => id === 'debian' || id === 'ubuntu')) return 'debian';
  if (ids.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) return 'fedora';
  if (ids.includes('arch')) return 'arch';
  if (ids.some((id) => id.startsWith('opensuse') || id === 'suse' || id === 'sles')) return 'suse';
  if (ids.includes('alpine')) return 'alpine';
  return undefined;
}

/** `sudo apt install uidmap`; on an unknown distribution Debian's command with Fedora's in brackets. */
export function installCommand(debianPackage: string, distribution: Distribution): string {
  const family = distributionFamily(distribution);
  const name = (of: Family) => packageNames[debianPackage]?.[of] ?? debianPackage;
  if (family) return `${installers[family]} ${name(family)}`;
  return `${installers.debian} ${debianPackage} (Fedora: ${installers.fedora} ${name('fedora')})`;
}
