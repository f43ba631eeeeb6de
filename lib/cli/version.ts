// The version printed by `rootless --version`, read once from package.json.
import { readFileSync } from 'node:fs';
import { installedFile } from '../paths.js';

const packageJson = JSON.parse(readFileSync(installedFile('../../package.json'), 'utf8')) as { version: string };
export const version: string = packageJson.version;
