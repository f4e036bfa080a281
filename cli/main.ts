// juchu — the order desk's command line.
import { buildProgram } from './program.js';

await buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(`juchu: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
