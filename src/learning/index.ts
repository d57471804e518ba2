export { TDLambda, TDLambdaSnapshotSchema } from "./td-lambda.js";
export type { TDLambdaOptions, TDLambdaSnapshot, TDLambdaStepResult } from "./td-lambda.js";
