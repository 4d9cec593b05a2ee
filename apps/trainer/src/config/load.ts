import path from 'node:path';
import { displayPath } from '@tandem/cli';
import { TrainerError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';
import type { ResolvedConfig, TrainConfig } from './types.ts';
import { validateConfig } from './validate.ts';

/**
 * Reads and validates a config. A path is read as JSON and the paths inside it are taken
 * relative to its folder; an object's paths are taken relative to the working directory.
 *
 * @example
 *   const config = await loadConfig('data/models/credit.json');
 *   config.training.epochs; // 200 unless the file says otherwise
 */
export async function loadConfig(source: string | TrainConfig): Promise<ResolvedConfig> {
  if (typeof source !== 'string') {
    return validateConfig(source, (file) => displayPath(file));
  }
  const shown = displayPath(source);
  const raw = await readJsonFile(source, 'config file', {
    unreadable: 'TANDEM_CONFIG_NOT_FOUND',
    invalid: 'TANDEM_CONFIG_INVALID',
  });
  const folder = path.dirname(path.resolve(source));
  try {
    return validateConfig(raw, (file) => displayPath(path.resolve(folder, file)));
  } catch (error) {
    if (error instanceof TrainerError) {
      throw new TrainerError(error.code, `${shown}: ${error.message}`);
    }
    throw error;
  }
}
