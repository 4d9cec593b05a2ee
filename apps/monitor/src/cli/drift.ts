/** `npm run drift`: see drift-command.ts, or --help. */
import { runCli } from '@tandem/cli';
import { main } from '../drift-command.ts';

await runCli('drift', () => main(process.argv.slice(2)));
