// lrlab's WebAssembly module: every kernel of the fast CPU backend, in one module sharing one memory.
export { packA, packB, tiles } from './gemm';
export { sgd, adam, rmsprop, adagrad, adadelta, nadam, radam, adamax } from './optim';
export { biasRelu, reluBackwardSums, tanhBackwardSums, sigmoidBackwardSums, columnSums, allFinite, maxAbs, addInto } from './linear';
export { convScratchFloats, convForward, convBackward, convGradSum } from './conv';
export { maxPool2x2, maxPool2x2Backward } from './pool';
export { lstmForward, lstmBackward, gruForward, gruBackward, fdlibmExp, fdlibmTanh } from './recurrent';
