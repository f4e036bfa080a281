#!/usr/bin/env node
// `juchu` command. From a source checkout it runs the TypeScript directly (tsx); the production
// image ships only the compiled dist/ and runs that. What cannot work is said in one line.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`juchu: needs Node.js 20.19 or newer; this is ${process.version}.\n`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli', 'main.ts');
if (existsSync(source)) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(`juchu: the dependencies are not installed: run \`npm ci\` in ${root} first.\n`);
    process.exit(1);
  }
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
}
