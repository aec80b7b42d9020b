import { lstat, mkdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MimicError } from '../errors.js';

export interface OutputPaths {
  studentPath: string;
  jsonPath?: string;
  /** Folders created by the check, parents first, so that a failed run can remove them again. */
  created: string[];
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ENOTDIR') return 'a file is in the way of the folder';
  if (code === 'ENOENT') return 'the folder cannot be created there';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOTREG') return 'it is a link, device or pipe, and the output replaces files by renaming';
  return (error as Error).message;
}

/**
 * Creates `folder` and its missing parents one level at a time. Node's `mkdir(..., { recursive })`
 * can loop forever on paths under /proc (Node 20), so the walk is done here.
 */
async function makeFolder(folder: string, created: string[]): Promise<void> {
  const parent = dirname(folder);
  let info;
  try {
    info = await stat(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (info) {
    if (!info.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    return;
  }
  if (parent !== folder) await makeFolder(parent, created);
  await mkdir(folder);
  created.push(folder);
}

/** Rejects a path that cannot be written as a file, creating its folder if needed. */
async function checkWritable(path: string, option: string, created: string[]): Promise<void> {
  try {
    await makeFolder(dirname(path), created);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    // Outputs are renamed into place, which would replace a link, device or pipe instead of
    // writing through it.
    if (info && !info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    const probe = `${path}.${process.pid}.probe`;
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new MimicError(`cannot write ${path} (${option}): ${describeError(error)}; choose another ${option}`);
  }
}

/**
 * Checks the output paths before any training, so that a bad --out or --json fails in seconds
 * instead of after the run. Returns where the student file and JSON report will go.
 */
export async function prepareOutputs(outDir: string, jsonPath: string | undefined): Promise<OutputPaths> {
  if (outDir.trim() === '') throw new MimicError('--out must name a folder, got an empty value');
  if (jsonPath !== undefined && jsonPath.trim() === '') throw new MimicError('--json must name a file, got an empty value');
  const studentPath = join(outDir, 'student.json');
  if (jsonPath !== undefined && resolve(jsonPath) === resolve(studentPath)) {
    throw new MimicError(`--json ${jsonPath} is the student file's path; choose another --json file or --out folder`);
  }
  const created: string[] = [];
  try {
    await checkWritable(studentPath, '--out', created);
    if (jsonPath !== undefined) await checkWritable(jsonPath, '--json', created);
  } catch (error) {
    await removeEmptyFolders(created);
    throw error;
  }
  return { studentPath, jsonPath, created };
}

/** Removes folders that a run created and left empty, deepest first; folders with files stay. */
export async function removeEmptyFolders(created: string[]): Promise<void> {
  for (const folder of [...created].reverse()) {
    await rmdir(folder).catch(() => {});
  }
}

/**
 * Writes every file to a temporary name first and renames them only when all were written, so a
 * failed run leaves earlier files as they were and never leaves half-written ones.
 */
export async function writeFilesAtomic(files: Array<{ path: string; text: string | Uint8Array }>): Promise<void> {
  const temporaries = files.map((f) => `${f.path}.${process.pid}.tmp`);
  try {
    for (const [i, file] of files.entries()) {
      try {
        await writeFile(temporaries[i], file.text);
      } catch (error) {
        throw new MimicError(`could not write ${file.path}: ${describeError(error)}`);
      }
    }
    for (const [i, file] of files.entries()) {
      try {
        await rename(temporaries[i], file.path);
      } catch (error) {
        throw new MimicError(`could not write ${file.path}: ${describeError(error)}`);
      }
    }
  } finally {
    await Promise.all(temporaries.map((t) => rm(t, { force: true })));
  }
}
