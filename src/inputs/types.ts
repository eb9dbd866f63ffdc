import type { Inventory } from '../core/model.js';
/** One input format. `matches` decides from the path alone (file name, or a directory); `read` never throws for bad content: it returns diagnostics, except for a file that cannot be read at all or is not of this format at all (InputError). */
export interface InputFormat {
  readonly name: string;
  matches(path: string, isDirectory: boolean): boolean;
  read(path: string): Promise<Inventory>;
}
