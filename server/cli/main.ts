/**
 * `endcue` command line: one subcommand per module, each exporting a commander Command.
 * Expected errors (EndcueError) print one line and exit non-zero; anything else is a bug
 * and keeps its stack trace.
 */
import { Command } from 'commander';
import { isEndcueError } from '../errors.js';
import { detectCommand } from './detect.js';
import { exportCommand } from './export.js';
import { scanCommand } from './scan.js';
import { serveCommand } from './serve.js';
import { workerCommand } from './worker.js';

const program = new Command('endcue')
  .description('Find where closing credits start, and serve it to players.')
  .showHelpAfterError()
  .addCommand(detectCommand())
  .addCommand(serveCommand())
  .addCommand(workerCommand())
  .addCommand(scanCommand())
  .addCommand(exportCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (isEndcueError(error)) {
    process.stderr.write(`endcue: ${error.toLine()}\n`);
    process.exit(2);
  }
  throw error;
}
