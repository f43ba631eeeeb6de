// `--format`: json, or the command's own text when not given (docker/podman also take Go
// templates there; rootless does not yet).
import { RootlessError } from '../errors.js';

export function outputFormat(value: string | undefined): 'json' | 'text' {
  if (value === undefined) return 'text';
  if (value === 'json') return 'json';
  throw new RootlessError(`unknown format "${value}"`, { remedy: 'Use --format json, or no --format for text' });
}
