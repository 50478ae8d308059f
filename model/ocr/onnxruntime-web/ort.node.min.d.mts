// Types of the vendored ONNX Runtime Web build: it re-exports onnxruntime-common's API
// (InferenceSession, Tensor, env) and registers the wasm backend as it loads.
export * from 'onnxruntime-common';
