export { scanFile, scanPath, worstVerdict, exitCodeFor, type ScanOptions } from './scan.js';
export { parsePickles, type PickleImport, type PickleResult } from './pickle.js';
export { classifyImport } from './denylist.js';
export { checkSafetensors } from './safetensors.js';
export { checkKerasConfig, checkHdf5 } from './keras.js';
export { checkOnnx } from './onnx.js';
export { BufferSource, FileSource } from './source.js';
export { worst, type Verdict, type Finding, type FileReport } from './verdict.js';
