// juchu — the order desk's command line.
import { buildProgram, uncaughtMessage } from './program.js';

await buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    process.stderr.write(uncaughtMessage(e));
    process.exit(1);
  });
