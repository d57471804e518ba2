export { TDLambda, TDLambdaSnapshotSchema } from "./td-lambda.js";
export type { TDLambdaOptions, TDLambdaSnapshot, TDLambdaStepResult } from "./td-lambda.js";
export { QPredictor, QPredictorSnapshotSchema, QValueAnswerSchema, Q_PREDICTOR_SNAPSHOT_VERSION } from "./q-predictor.js";
export type {
  Policy,
  PredictionSource,
  QChange,
  QEntry,
  QMethod,
  QPrediction,
  QPredictorOptions,
  QPredictorSnapshot,
  QUpdateInput,
  QUpdateResult,
} from "./q-predictor.js";
export { PrioritizedExperienceBuffer } from "./experience-buffer.js";
export type { PrioritizedExperienceBufferOptions, SampledExperience } from "./experience-buffer.js";
export { addLesson, lessonFor, LessonSchema } from "./lessons.js";
export type { Lesson, LessonKind } from "./lessons.js";
export { retentionScore } from "./retention.js";
export { calibrationReport } from "./calibration.js";
export type { CalibrationBin, CalibrationReport } from "./calibration.js";
export { normalizeText, pairKey } from "./text-key.js";
