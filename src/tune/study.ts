// The study, by concept: the Study class with ask/tell and the optimize loop (study/study.ts), optimize across
// worker threads (study/optimize-threads.ts), what optimize takes (study/options.ts), the trials as CSV and JSON
// (study/trials-export.ts), and making, loading, deleting and listing studies (study/create.ts). The rest of lrlab
// imports from here.
export { Study } from './study/study.js';
export type { Objective, ObjectiveModule, ErrorClass, OptimizeCallback, OptimizeOptions } from './study/options.js';
export { createStudy, loadStudy, deleteStudy, getAllStudySummaries, type CreateStudyOptions, type LoadStudyOptions } from './study/create.js';
