import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's directory (where package.json lies), found from this module: the sources run by tsx
 * (`src/…`) and the build run by node (`dist/src/…`, `npm start`) read the same files beside them,
 * master data, public assets and fonts.
 */
function findProjectDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_DIR = findProjectDir();
