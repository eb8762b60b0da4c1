/** Every `warden` sub-command. Add a command by importing its file here and listing it. */
import type { Command } from '../command.js';

export const COMMANDS: Command[] = [];
