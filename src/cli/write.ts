import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MimicError } from '../errors.js';

/**
 * Writes `text` to `path` through a temporary file and a rename, so an interrupted run never
 * leaves a half-written file in place of an earlier good one.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' ? 'permission denied' : code === 'ENOTDIR' || code === 'EEXIST' ? 'a file is in the way of the folder' : (error as Error).message;
    throw new MimicError(`could not write ${path}: ${reason}; choose another --out or --json path`);
  }
}
