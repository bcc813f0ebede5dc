// lrlab's one public entry: re-exports only.

// tensor
export { Tensor, type NestedArray, type TensorLike } from './tensor/tensor.js';
export { tensor, zeros, ones, full, arange, randn, rand, zerosLike, onesLike, type TensorOptions, type RandomOptions } from './tensor/creation.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/random.js';
export { broadcastShapes, sizeOf, formatShape, type Shape } from './tensor/shape.js';
export { toNdarray, fromNdarray } from './tensor/ndarray.js';
export { reuseBuffers, alloc, poolStats } from './tensor/pool.js';
export { registerBackend, registerBackendFactory, useBackend, getBackend, listBackends, builtBackends, type Backend } from './tensor/backends/backend.js';
export { createGpuBackend, type GpuBackend, type GpuMode } from './tensor/backends/gpujs.js';
export { createWasmBackend, type WasmBackend } from './tensor/backends/fast/wasm.js';
export { gpuMlpStep, mlpLayers, type FusedStep } from './tensor/backends/gpu-mlp.js';
export { cpuBackend } from './tensor/backends/cpu.js';

// autograd
export { noGrad, isGradEnabled, backward, record, clearGrad, type Creator, type BackwardOptions } from './autograd/engine.js';
export { add, sub, mul, div, neg, pow } from './autograd/ops/arithmetic.js';
export { exp, log, sqrt, abs, tanh, sigmoid } from './autograd/ops/unary.js';
export { relu, leakyRelu, softplus, type SoftplusOptions } from './autograd/ops/activation.js';
export { matmul } from './autograd/ops/matmul.js';
export { linear } from './autograd/ops/linear.js';
export { sum, mean, max } from './autograd/ops/reduce.js';
export { reshape, transpose, expand, unsqueeze } from './autograd/ops/view.js';
export { slice, concat, stack, gather } from './autograd/ops/index-ops.js';
export { softmax, logSoftmax, logSumExp } from './autograd/ops/softmax.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type GradcheckMismatch } from './autograd/gradcheck.js';
export { toDot } from './autograd/dot.js';

// nn
export { Module, type StateDict } from './nn/module.js';
export { Parameter } from './nn/module.js';
export { Linear, Sequential, ReLU, LeakyReLU, Tanh, Sigmoid, Dropout, type LinearOptions } from './nn/layers.js';
export { ModuleList } from './nn/layers.js';
export { mseLoss, l1Loss, huberLoss, smoothL1Loss, crossEntropy, bceWithLogits, type Reduction, type LossOptions } from './nn/losses.js';
export * as init from './nn/init.js';
export { saveModel, loadModel, stateDictToJSON, stateDictFromJSON, toJSONValue, fromJSONValue, type TensorJSON } from './nn/serialize.js';

// optim
export { Optimizer, NonFiniteStepError, type ParamGroup, type ParamState, type ParamsInput, type OptimizerStateDict } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { AdamW } from './optim/adamw.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { Adadelta, type AdadeltaOptions } from './optim/adadelta.js';
export { Rprop, type RpropOptions } from './optim/rprop.js';
export { ASGD, type ASGDOptions } from './optim/asgd.js';
export { LBFGS, type LBFGSOptions, type LBFGSState } from './optim/lbfgs.js';
export { NAdam, type NAdamOptions } from './optim/nadam.js';
export { RAdam, type RAdamOptions } from './optim/radam.js';
export { Adamax, type AdamaxOptions } from './optim/adamax.js';
export { clipGradNorm, clipGradValue } from './optim/clip.js';
export { AveragedModel, SWALR, updateBn, emaAvgFn, type AvgFn, type AveragedModelOptions, type SWALROptions } from './optim/swa.js';

// io
export { writeFileAtomic, checkOutputDir } from './io/atomic.js';

// schedulers
export * from './schedulers/index.js';

// data
export { syntheticTimeSeries, type SyntheticSeriesOptions, type Series } from './data/synthetic.js';
export { slidingWindows, temporalSplit, fitStandardizer, batches, prepareSeries, type WindowedData, type Standardizer, type Batch, type BatchOptions, type PreparedSeries } from './data/windows.js';
export { parseCsvSeries, loadCsvSeries, parseCsvColumn, loadCsvColumn, type CsvSeriesOptions, type CsvColumn } from './data/csv.js';
export { parseCsvTable, loadCsvTable, splitTable, type CsvTableOptions, type CsvTable, type TableSplit } from './data/table.js';
export { kFold, timeSeriesSplit, type Fold } from './data/kfold.js';

// train
export { fit, evaluate, NonFiniteLossError, type FitOptions, type History } from './train/fit.js';
export { NonFiniteInputError } from './tensor/finite.js';
export type { Callback, Logs, TrainingContext } from './train/callback.js';
export { EarlyStopping, ReduceLROnPlateauCallback, ModelCheckpoint, CSVLogger, TerminateOnNaN, ProgressBar, type EarlyStoppingOptions, type ModelCheckpointOptions } from './train/callbacks.js';
export { PruningCallback, type PruningCallbackOptions, type PrunableTrial } from './train/pruning-callback.js';
export { DynamicsRecorder, analyzeDynamics, type DynamicsAnalysis, type DynamicsRecord, type DynamicsOptions, type Moments } from './train/dynamics.js';
export { compareSchedules, builtInData, builtInModel, type BuiltInData, seed000Data, seed000Model, type SeedData, type ScheduleComparisonRow } from './train/compare.js';

// lrfind
export { savgolFilter, savgolCoeffs, type SavgolOptions, type SavgolMode } from './lrfind/savgol.js';
export { gradient } from './lrfind/gradient.js';
export { steepest, valley, minimum, slide, suggestLr, type Suggestion, type LrSuggestion, type SuggestLrOptions } from './lrfind/suggest.js';
export { rangeTest, type RangeTestOptions, type RangeTestResult } from './lrfind/range-test.js';
export { lrSweep, logspace, type LrSweepOptions, type LrSweepRow } from './lrfind/sweep.js';
export { runPipeline, resolveConfig, DEFAULT_CONFIG, type PipelineConfig, type PipelineResult } from './lrfind/pipeline.js';
export {
  findLr, resolveFinderConfig, DEFAULT_FINDER_CONFIG, makeOptimizer,
  type FindLrOptions, type FindLrResult, type FinderConfig, type Task, type LossFn, type OptimizerName, type OptimizerFactory, type Dataset, type DataSource,
  type RunSummary, type Candidate, type SeedResult, type RuleSpread, type Stage, type FindLrPartial,
} from './lrfind/find-lr.js';
export { parseModelSpec, buildModel, describeModelSpec, type ModelSpec } from './lrfind/models.js';
export { pairedDifference, meanStd, tQuantile975, type PairedDifference } from './lrfind/stats.js';

// report
export { renderSvg, PLOTS, plotRangeTest, rangeTestSpec } from './report/charts.js';
export { writeReport, reportMarkdown, reportHtml, comparisonTable, REPORT_FILES, type ComparisonRow } from './report/report.js';
export { crossValidate, type CrossValidateOptions, type CrossValidationResult } from './train/cross-validate.js';

// tune
export type {
  TrialState, StudyDirection, CategoricalChoice, ParamValue,
  Distribution, SearchSpace, FrozenTrial, StudyView, Sampler, Pruner,
} from './tune/types.js';
export { floatDistribution, intDistribution, categoricalDistribution, sameDistribution, checkCompatible, contains, distributionToString, type SuggestOptions } from './tune/distributions.js';
// the classes are also the types of the plain data the functions above return (the same fields, no methods)
export { FloatDistribution, IntDistribution, CategoricalDistribution } from './tune/distributions.js';
export { createTrial, type CreateTrialOptions } from './tune/create-trial.js';
export { copyStudy, type CopyStudyOptions } from './tune/copy-study.js';
export { Trial, TrialPruned } from './tune/trial.js';
export {
  Study, createStudy, loadStudy, deleteStudy, getAllStudySummaries,
  type Objective, type OptimizeCallback, type OptimizeOptions, type CreateStudyOptions, type LoadStudyOptions,
} from './tune/study.js';
export {
  DuplicatedStudyError, UpdateFinishedTrialError, StorageError, type Storage, type StudySummary, type TrialRecord, type NewTrial, type TrialTemplate, type HeartbeatOptions,
} from './tune/storage/base.js';
export { InMemoryStorage } from './tune/storage/memory.js';
export { getStorage, parseStorageUrl, type StorageLocation } from './tune/storage/index.js';
export type { SqliteStorage, SqliteStorageOptions } from './tune/storage/sqlite.js';
export type { PostgresStorage, PostgresStorageOptions } from './tune/storage/postgres.js';
export { forecastObjective, resolveForecastSpace, DEFAULT_FORECAST_SPACE, type ForecastSpace, type ForecastOptimizer } from './tune-recipes/forecast.js';
export { divergenceReason, failDiverged } from './tune-recipes/divergence.js';
export { lrSearchSpace, enqueueLrTrials, type LrSearchSpace, type LrSearchSpaceOptions, type LrCandidate } from './tune-recipes/lr-search-space.js';
export { type ObjectiveModule } from './tune/study.js';
// metrics and grid search
export { accuracy, precision, recall, f1, r2, mae, mse, rmse, type MetricInput, type Average, type ClassificationOptions } from './train/metrics.js';
export { METRIC_NAMES, type MetricFn, type MetricSpec, type Scoring } from './train/scoring.js';
export { predict } from './train/predict.js';
export { type EvaluateOptions } from './train/fit.js';
export { makeBlobs, type MakeBlobsOptions, type ClassificationData } from './data/blobs.js';

// tune: samplers
export { RandomSampler, type RandomSamplerOptions } from './tune/samplers/random.js';
export { GridSampler, type GridSamplerOptions, type GridSearchSpace } from './tune/samplers/grid.js';
export { TPESampler, defaultGamma, defaultWeights, hyperoptDefaultGamma, type TPESamplerOptions } from './tune/samplers/tpe.js';
export { CONSTRAINTS_KEY } from './tune/samplers/tpe.js';
export { ParzenEstimator, type ParzenParameters } from './tune/samplers/parzen.js';
export { CmaEsSampler, type CmaEsSamplerOptions } from './tune/samplers/cmaes.js';
export {
  NSGAIISampler, UniformCrossover, BLXAlphaCrossover, SBXCrossover, VSBXCrossover, SPXCrossover, UNDXCrossover,
  type NSGAIISamplerOptions, type Crossover,
} from './tune/samplers/nsga2.js';
// Optuna keeps its hypervolume private (optuna._hypervolume); lrlab exports it to measure a study's Pareto front
export { hypervolume } from './tune/multi-objective/hypervolume.js';
// tune: pruners, importances, plots
export {
  MedianPruner, PercentilePruner, SuccessiveHalvingPruner, HyperbandPruner, ThresholdPruner, PatientPruner, NopPruner,
  type MedianPrunerOptions, type PercentilePrunerOptions, type SuccessiveHalvingPrunerOptions, type HyperbandPrunerOptions,
  type ThresholdPrunerOptions, type PatientPrunerOptions,
} from './tune/pruners/index.js';
export {
  getParamImportances, FanovaImportanceEvaluator, MeanDecreaseImpurityImportanceEvaluator,
  type ImportanceEvaluator, type ForestEvaluatorOptions, type ParamImportancesOptions, type TrialsSource, type EncodedTrials,
} from './tune/importance/index.js';
export {
  plotOptimizationHistory, plotParamImportances, plotSlice, plotContour, plotParallelCoordinate, plotIntermediateValues,
  optimizationHistorySpec, paramImportancesSpec, sliceSpec, contourSpec, parallelCoordinateSpec, intermediateValuesSpec,
  plotParetoFront, paretoFrontSpec, type ParetoFrontOptions,
  type PlottableStudy,
} from './tune/plots.js';
export { writeStudyReport, STUDY_REPORT_FILES, trialsTable, type StudyReportOptions } from './tune/report.js';
// the dashboard: studies and finder runs in the browser while they run
export { startDashboard, type DashboardOptions, type Dashboard } from './dashboard/server.js';
export { LiveWriter, liveFilePath, readLiveFile, type LiveFile, type LiveWriterOptions } from './dashboard/live.js';
export { writeDirAtomic, type WriteDirAtomicOptions } from './io/atomic-dir.js';

export { type ModelModule } from './tune-recipes/grid-search-threads.js';
export { gridSearchCV, parameterGrid, type GridSearchCVOptions, type GridSearchResult, type CvResults, type ParamGrid, type GridCell, type GridValue } from './tune-recipes/grid-search.js';
// recurrent layers
export { lstmSequence, type SequenceOptions } from './autograd/ops/lstm.js';
export { gruSequence } from './autograd/ops/gru.js';
export { LSTM, GRU, lastTimeStep, type RNNOptions, type LSTMState } from './nn/recurrent.js';
export { LSTMForecaster, type LSTMForecasterOptions } from './nn/forecaster.js';
export { tuneLstm, forecastData, naiveLastValueMse, buildForecaster, LSTM_SEARCH_SPACE, type TuneLstmOptions, type TuneLstmResult, type LstmSearchSpace, type ForecastComparisonRow, type ForecastData } from './tune-recipes/lstm-study.js';

// first use: numbers for people, the report's recommendation
export { formatNumber, formatLr, describe } from './format/number.js';
export { recommend, type Recommendation, type RecommendationEvidence } from './lrfind/recommend.js';

// Training speed: the kernels a backend may offer for a step's elementwise work, and linear's fused activation
export type { FastKernels } from './tensor/backends/backend.js';
export type { LinearActivation, LinearOpOptions } from './autograd/ops/linear.js';
export type { Arena } from './tensor/backends/fast/arena.js';

// convolution and images
export { conv2d, type Conv2dOptions, type Size2 } from './autograd/ops/conv.js';
export { maxPool2d, avgPool2d, type Pool2dOptions } from './autograd/ops/pool.js';
export { batchNorm, type BatchNormOpOptions } from './autograd/ops/batchnorm.js';
export { Conv2d, MaxPool2d, AvgPool2d, Flatten, type Conv2dLayerOptions, type Pool2dLayerOptions } from './nn/conv.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './nn/batchnorm.js';
// embedding, layer norm, adaptive pooling and residual networks
export { embedding, type EmbeddingOpOptions } from './autograd/ops/embedding.js';
export { Embedding, type EmbeddingOptions } from './nn/embedding.js';
export { layerNorm, LayerNorm, type LayerNormOptions } from './nn/layernorm.js';
export { adaptiveAvgPool2d, type AdaptiveSize2 } from './autograd/ops/adaptive-pool.js';
export { AdaptiveAvgPool2d } from './nn/adaptive-pool.js';
export { BasicBlock, ResNet, resnet18, smallResnet, type BasicBlockOptions, type ResNetOptions } from './nn/resnet.js';
export { loadIdx, parseIdx, loadFashionMnist, findFashionMnist, FASHION_MNIST_CLASSES, DEBIAN_FASHION_MNIST_DIR, type IdxArray, type IdxData, type ImageSet, type FashionMnist, type FashionMnistOptions } from './data/idx.js';
export { topKAccuracy, confusionMatrix, argmax, evaluateClassifier, type ClassifierEvaluation } from './train/classify.js';
export { compareImageSchedules, fashionMnistCnn, DEFAULT_IMAGE_SCHEDULES, type ImageComparison, type ImageComparisonOptions, type ImageScheduleRun, type ImageScheduleName, type ScheduleSummary, type OverSeeds } from './train/compare-images.js';
export { SCHEDULE_TASKS, SCHEDULE_TASK_NAMES, BiLSTMClassifier, type BiLSTMClassifierOptions, type ScheduleTask, type ScheduleTaskName, type TaskData, type TaskLoadOptions } from './train/schedule-tasks.js';
export { loadMnist, MNIST_CLASSES } from './data/mnist.js';
export { loadCifar10, parseCifar10Batch, CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_RECORD_BYTES, type Cifar10, type Cifar10Options } from './data/cifar10.js';
export { loadImdb, encodeImdb, IMDB_CLASSES, type Imdb, type ImdbOptions, type TextSet, type EncodeImdbOptions, type EncodedImdb, type EncodedText } from './data/imdb.js';
export { basicEnglishTokenize, buildVocabFromIterator, padTruncate, Vocab, type BuildVocabOptions } from './data/tokenizer.js';
export { augmentImages, type AugmentOptions } from './data/augment.js';
export type { ImageSplitOptions } from './data/image-split.js';
export { writeScheduleReport, SCHEDULE_REPORT_FILES, scheduleComparisonSpecs, imageComparisonMarkdown, seriesComparisonMarkdown, meanCurves } from './report/schedule-report.js';
export { scheduleLossSpec, scheduleAccuracySpec, scheduleLrSpec, type ScheduleCurves } from './report/charts.js';
