import { RuntimeError, reasonOf } from '../errors.ts';

/** The ensemble.json format this build writes and reads. */
export const ENSEMBLE_FORMAT = 1;

/** What a member of an ensemble is: one of the model families the trainer fits. */
export type MemberModel = 'gbdt' | 'linear' | 'mlp';

const MEMBER_MODELS: readonly MemberModel[] = ['gbdt', 'linear', 'mlp'];

/**
 * One member: its weight and the version files that hold it, by the name it has in a
 * single-model version ('features.json', 'trees.bin' or 'model.json' + 'weights.bin').
 */
export interface EnsembleMember {
  model: MemberModel;
  /** Its share of the blend; the members' weights sum to 1. */
  weight: number;
  files: Record<string, string>;
}

/**
 * ensemble.json of a version whose model is a weighted average of members' outputs
 * (probabilities, or regression values on the target's scale):
 * `{ "format": 1, "members": [{ "model": "gbdt", "weight": 0.6, "files": { "features.json":
 * "member-1.features.json", "trees.bin": "member-1.trees.bin" } }, …] }`.
 */
export interface EnsembleFile {
  members: EnsembleMember[];
}

/** Files a member of each family needs, by their single-model name. */
const MEMBER_FILES: Record<MemberModel, readonly string[]> = {
  gbdt: ['features.json', 'trees.bin'],
  linear: ['features.json', 'model.json', 'weights.bin'],
  mlp: ['features.json', 'model.json', 'weights.bin'],
};

/** The version file name of member `index` (0-based) for its single-model file `file`. */
export function memberFileName(index: number, file: string): string {
  return `member-${index + 1}.${file}`;
}

/** The member files of a trained model, renamed as members of an ensemble: what to store. */
export function memberFiles(
  index: number,
  files: Readonly<Record<string, Uint8Array>>,
): Record<string, Uint8Array> {
  return Object.fromEntries(
    Object.entries(files).map(([file, bytes]) => [memberFileName(index, file), bytes]),
  );
}

/** The bytes of ensemble.json; the same members always give the same bytes. */
export function encodeEnsembleFile(
  members: ReadonlyArray<{ model: MemberModel; weight: number }>,
): Uint8Array {
  const state = {
    format: ENSEMBLE_FORMAT,
    members: members.map(({ model, weight }, index) => ({
      model,
      weight,
      files: Object.fromEntries(
        MEMBER_FILES[model].map((file) => [file, memberFileName(index, file)]),
      ),
    })),
  };
  return new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Parses ensemble.json; TANDEM_MODEL_FILES_INVALID names what is wrong (format, a member's
 * model, weight or files). Weights must be positive and sum to 1 (within 1e-9).
 */
export function decodeEnsembleFile(bytes: Uint8Array): EnsembleFile {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad(`is not valid JSON (${reasonOf(error)})`, error);
  }
  const state = value as { format?: unknown; members?: unknown } | null;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw bad('is not a JSON object');
  }
  if (state.format !== ENSEMBLE_FORMAT) {
    throw bad(
      `has format ${JSON.stringify(state.format)}; this build reads format ${ENSEMBLE_FORMAT}`,
    );
  }
  if (!Array.isArray(state.members) || state.members.length < 2) {
    throw bad('needs "members", an array of at least 2');
  }
  const members = state.members.map((raw, index) => readMember(raw, index));
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  if (Math.abs(total - 1) > 1e-9) throw bad(`has weights summing to ${total}, not 1`);
  return { members };
}

function readMember(raw: unknown, index: number): EnsembleMember {
  const where = `member ${index + 1}`;
  const member = raw as Partial<EnsembleMember> | null;
  if (typeof member !== 'object' || member === null) throw bad(`${where} is not an object`);
  const model = member.model as MemberModel;
  if (!MEMBER_MODELS.includes(model)) {
    throw bad(
      `${where} has model ${JSON.stringify(member.model)}, expected one of ${MEMBER_MODELS.join(', ')}`,
    );
  }
  const weight = member.weight;
  if (typeof weight !== 'number' || !(weight > 0) || weight > 1) {
    throw bad(`${where} has weight ${JSON.stringify(weight)}, expected a number in (0, 1]`);
  }
  const files = member.files;
  if (typeof files !== 'object' || files === null) throw bad(`${where} has no "files"`);
  for (const file of MEMBER_FILES[model]) {
    if (typeof files[file] !== 'string') throw bad(`${where} (${model}) does not name its ${file}`);
  }
  return { model, weight, files: { ...files } };
}

function bad(why: string, cause?: unknown): RuntimeError {
  return new RuntimeError(
    'TANDEM_MODEL_FILES_INVALID',
    `ensemble.json ${why}`,
    cause === undefined ? {} : { cause },
  );
}
