#!/usr/bin/env node
// The `journey` command: registers tsx so the TypeScript sources run as they are (no build step), then starts the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
