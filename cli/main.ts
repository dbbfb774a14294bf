// The `journey` CLI: one program, each command in cli/commands/<name>.ts exporting `register(program)`.
// To add a command, add its name to COMMANDS; a name whose file is not there yet is skipped, so commands can
// land one at a time.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COMMANDS = ['validate', 'graph', 'list', 'outbox', 'simulate', 'preview', 'report', 'experiment', 'backtest', 'diff'];

const program = new Command('journey')
  .description('Write, check and run advocacy journeys: Listen → Qualify → Invite → Activate → Reward → Track → Expand.')
  .showHelpAfterError();

for (const name of COMMANDS) {
  const url = new URL(`./commands/${name}.ts`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) continue;
  const module = (await import(url.href)) as { register?: (program: Command) => void };
  if (typeof module.register === 'function') module.register(program);
}

await program.parseAsync(process.argv);
