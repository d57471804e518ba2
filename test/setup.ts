import fc from "fast-check";

// Property tests draw from a fixed seed so every run, in CI or not, checks the same cases.
// Set FC_SEED to explore other cases; a failure prints the seed that reproduces it.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20_261_121) });
