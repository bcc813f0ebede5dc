// lrlab's WebAssembly module: every kernel of the fast CPU backend, in one module sharing one memory.
export { packA, packB, tiles } from './gemm';
export { sgd, adam, rmsprop, adagrad, adadelta, nadam, radam, adamax } from './optim';
export { biasRelu, reluBackwardSums, tanhBackwardSums, sigmoidBackwardSums, columnSums, allFinite, maxAbs, addInto } from './linear';
export { convScratchFloats, convForward, convBackward, convGradSum } from './conv';
export { maxPool2x2, maxPool2x2Backward } from './pool';
export { lstmForward, lstmBackward, gruForward, gruBackward, fdlibmExp, fdlibmTanh } from './recurrent';

/** The end of the module's constant tables (the lane functions' constants): the backend's arena starts above it. */
export function staticDataEnd(): usize {
  return __heap_base;
}
