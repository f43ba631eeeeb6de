// Extended attributes by name. Reading only for now: `security.capability` tells whether
// newuidmap/newgidmap carry file capabilities instead of the setuid bit.
import { check, koffi, libc } from './libc.js';

const getxattrFn = libc.func('long getxattr(const char *path, const char *name, void *value, size_t size)');
const ENODATA = 61;

/** The attribute's bytes, or undefined when the file has no such attribute. */
export function getxattr(path: string, name: string): Buffer | undefined {
  const value = Buffer.alloc(256);
  const length = Number(getxattrFn(path, name, value, value.length));
  if (length === -1 && koffi.errno() === ENODATA) return undefined;
  check('getxattr', length, path);
  return value.subarray(0, length);
}
