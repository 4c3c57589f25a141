// Messages name an option the way the user gave it: `source-registry` in the action's `with:` and
// the config file, `--source-registry` on the command line (where some also come from the
// environment, e.g. HARBOR_PASSWORD).
import { INPUT_NAMING, type OptionNaming } from '../model/config.js';
import { INPUTS } from './input-list.js';

export type InputNames = OptionNaming;

export const ACTION_NAMES: InputNames = INPUT_NAMING;

export const CLI_NAMES: InputNames = {
  name: (input) => {
    const env = INPUTS.find((i) => i.name === input)?.env;
    return env ? `--${input} (or ${env})` : `--${input}`;
  },
  setting: (input, value) =>
    value === 'true' ? `--${input}` : value === 'false' ? `--no-${input}` : `--${input} ${value}`,
};
