/** `npm run alerts`: see alerts-command.ts, or --help. */
import { runCli } from '@tandem/cli';
import { main } from '../alerts-command.ts';

await runCli('alerts', () => main(process.argv.slice(2)));
