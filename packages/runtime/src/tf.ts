/**
 * The one TensorFlow.js namespace of Tandem. tfjs-node, when it loads, registers its backend into
 * this same tfjs-core instance; every package imports `tf` from here so that models, tensors and
 * backends never straddle two copies of tfjs-core.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
