import {
  encodeEnsembleFile,
  encodeFeaturesFile,
  memberFiles,
  Predictor,
  type PredictorMeta,
} from '@tandem/runtime';
import type { AutoModelConfig, CandidateType } from '../config/types.ts';
import type { TrainedCandidate } from './candidate.ts';

export interface WeightedCandidate {
  model: CandidateType;
  weight: number;
  candidate: TrainedCandidate;
}

/**
 * auto's ensemble as a candidate like any other: its files are ensemble.json and each member's
 * own files renamed member-<n>.<file> (features.json included, for a member's features are its
 * own: bin codes for trees, scaled and one-hot values for networks); the version's features.json
 * is the first member's, whose raw input schema every member shares. Its predictor averages the
 * members' predictors. Disposing it disposes the members.
 */
export function ensembleCandidate(
  members: readonly WeightedCandidate[],
  auto: AutoModelConfig,
  heldOutLoss: number,
): TrainedCandidate {
  const first = members[0]!.candidate;
  const backends = [...new Set(members.map((member) => member.candidate.backend))];
  return {
    model: auto,
    pipeline: first.pipeline,
    labels: first.labels,
    targetScaler: first.targetScaler,
    trainSeconds: members.reduce((sum, member) => sum + member.candidate.trainSeconds, 0),
    // The members' training histories are in their own records; the blend has no epochs.
    history: {
      epochsRun: 0,
      bestEpoch: 0,
      bestValLoss: heldOutLoss,
      stoppedEarly: false,
      stoppedByDeadline: false,
      loss: [],
      valLoss: [],
    },
    backend: backends.filter((backend) => backend !== 'none').join(', ') || 'none',
    async files() {
      const files: Record<string, Uint8Array> = {
        'ensemble.json': encodeEnsembleFile(members),
      };
      for (const [index, { candidate }] of members.entries()) {
        Object.assign(
          files,
          memberFiles(index, {
            ...(await candidate.files()),
            'features.json': encodeFeaturesFile(candidate),
          }),
        );
      }
      return files;
    },
    predictor(meta: PredictorMeta): Predictor {
      // The members warm up with the ensemble: one prediction proves them all.
      const { sample: _sample, ...memberMeta } = meta;
      return new Predictor({
        meta,
        members: members.map(({ model, weight, candidate }) => ({
          model,
          weight,
          predictor: candidate.predictor(memberMeta),
        })),
      });
    },
    extra: { ensemble: members.map(({ model, weight }) => ({ model, weight })) },
    dispose() {
      for (const member of members) member.candidate.dispose();
    },
  };
}
