/** Builders of model files for scanner tests: ONNX protobuf, safetensors, HDF5-like and pickles via python3. */
import { writeFileSync } from 'node:fs';
import { python } from './helpers.js';

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited protobuf field. */
export function pbField(number: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint(number * 8 + 2), varint(data.length), data]);
}

export function pbVarint(number: number, value: number): Buffer {
  return Buffer.concat([varint(number * 8), varint(value)]);
}

/** TensorProto with external data at `location` (data_location = EXTERNAL). */
export function onnxTensor(name: string, location: string): Buffer {
  const entry = Buffer.concat([pbField(1, 'location'), pbField(2, location)]);
  return Buffer.concat([pbVarint(1, 1), pbVarint(2, 1), pbField(8, name), pbField(13, entry), pbVarint(14, 1)]);
}

/** ModelProto { ir_version, graph { initializer..., node { attribute { t } } } }. */
export function onnxModel(initializers: Buffer[], nodeTensor?: Buffer): Buffer {
  const parts = initializers.map((t) => pbField(5, t));
  if (nodeTensor) parts.push(pbField(1, Buffer.concat([pbField(4, 'Constant'), pbField(5, Buffer.concat([pbField(1, 'value'), pbField(5, nodeTensor)]))])));
  const graph = Buffer.concat([pbField(2, 'g'), ...parts]);
  return Buffer.concat([pbVarint(1, 8), pbField(2, 'warden-test'), pbField(7, graph)]);
}

export function safetensors(header: unknown, dataBytes: number): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(dataBytes)]);
}

/** HDF5-like file: the signature, then binary noise, then the model_config attribute JSON. */
export function h5WithConfig(config: unknown): Buffer {
  const magic = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  const noise = Buffer.alloc(2048, 0x11);
  return Buffer.concat([magic, noise, Buffer.from(JSON.stringify(config)), Buffer.alloc(64)]);
}

export function kerasConfig(withLambda: boolean): unknown {
  const layers: unknown[] = [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4] } }, { class_name: 'Dense', config: { name: 'dense', units: 2 } }];
  if (withLambda) layers.push({ class_name: 'Lambda', config: { name: 'evil', function: ['4wEAAAAAAAAA', null, null], function_type: 'lambda' } });
  return { class_name: 'Sequential', config: { name: 'seq', layers } };
}

/**
 * Writes the pickle fixtures with python3's standard pickle module: a benign tensor-like pickle (numpy
 * array when numpy is installed, else a stand-in `torch._utils._rebuild_tensor_v2`), an os.system payload
 * through REDUCE, for protocols 0-5 (4 and 5 use STACK_GLOBAL); a PyTorch-style ZIP; a zlib joblib file;
 * a .keras ZIP with a Lambda layer.
 */
export function writePickleFixtures(dir: string): void {
  python(
    `
import collections, io, os, pickle, sys, types, zipfile, zlib
out = sys.argv[1]
torch = types.ModuleType('torch'); tu = types.ModuleType('torch._utils')
def _rebuild_tensor_v2(*a): pass
_rebuild_tensor_v2.__module__ = 'torch._utils'
tu._rebuild_tensor_v2 = _rebuild_tensor_v2
sys.modules['torch'] = torch; sys.modules['torch._utils'] = tu; torch._utils = tu
class Tensor:
    def __reduce__(self): return (_rebuild_tensor_v2, ('storage', 0, (2, 2), (2, 1), False, collections.OrderedDict()))
class Evil:
    def __reduce__(self): return (os.system, ('echo pwned',))
class EvalEvil:
    def __reduce__(self): return (eval, ("__import__('os').system('id')",))
try:
    import numpy
    benign = collections.OrderedDict(w=numpy.arange(6, dtype=numpy.float32).reshape(2, 3), t=Tensor())
except ImportError:
    benign = collections.OrderedDict(t=Tensor(), b=[1.0, 2.0])
for p in range(6):
    open(os.path.join(out, 'benign-p%d.pkl' % p), 'wb').write(pickle.dumps(benign, protocol=p))
    open(os.path.join(out, 'evil-p%d.pkl' % p), 'wb').write(pickle.dumps({'state': Evil()}, protocol=p))
open(os.path.join(out, 'eval.pkl'), 'wb').write(pickle.dumps(EvalEvil(), protocol=4))
with zipfile.ZipFile(os.path.join(out, 'evil.pt'), 'w') as z:
    z.writestr('archive/data.pkl', pickle.dumps(collections.OrderedDict(w=Tensor(), x=Evil()), protocol=2))
    z.writestr('archive/version', '3\\n')
    z.writestr('archive/data/0', b'\\0' * 64)
with zipfile.ZipFile(os.path.join(out, 'benign.pt'), 'w', compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr('archive/data.pkl', pickle.dumps(collections.OrderedDict(w=Tensor()), protocol=2))
    z.writestr('archive/version', '3\\n')
open(os.path.join(out, 'evil.joblib'), 'wb').write(zlib.compress(pickle.dumps(Evil(), protocol=4)))
# joblib's format, reproduced with its own algorithm (joblib is not installed): NumpyPickler.save writes
# each numeric array's bytes right after the NumpyArrayWrapper, after a padding-length byte and padding;
# object arrays as a nested protocol-2 pickle.
try:
    import numpy as np
    jm = types.ModuleType('joblib'); jnp = types.ModuleType('joblib.numpy_pickle')
    class NumpyArrayWrapper:
        def __init__(self, subclass, shape, order, dtype, allow_mmap=False, numpy_array_alignment_bytes=16):
            self.subclass = subclass; self.shape = shape; self.order = order; self.dtype = dtype
            self.allow_mmap = allow_mmap; self.numpy_array_alignment_bytes = numpy_array_alignment_bytes
    NumpyArrayWrapper.__module__ = 'joblib.numpy_pickle'; NumpyArrayWrapper.__qualname__ = 'NumpyArrayWrapper'
    jnp.NumpyArrayWrapper = NumpyArrayWrapper; jm.numpy_pickle = jnp
    sys.modules['joblib'] = jm; sys.modules['joblib.numpy_pickle'] = jnp
    class NumpyPickler(pickle._Pickler):
        def __init__(self, f, protocol):
            self.file_handle = f
            super().__init__(f, protocol=protocol)
        def save(self, obj, save_persistent_id=True):
            if isinstance(obj, np.ndarray):
                w = NumpyArrayWrapper(type(obj), obj.shape, 'C', obj.dtype)
                pickle._Pickler.save(self, w)
                if self.proto >= 4: self.framer.commit_frame(force=True)
                if obj.dtype.hasobject:
                    pickle.dump(obj, self.file_handle, protocol=2)
                else:
                    pos = self.file_handle.tell() + 1
                    pad = 16 - (pos % 16)
                    self.file_handle.write(bytes([pad]) + bytes([255]) * pad)
                    self.file_handle.write(obj.tobytes('C'))
                return
            return pickle._Pickler.save(self, obj, save_persistent_id)
    def dump_joblib(obj, name, protocol):
        with open(os.path.join(out, name), 'wb') as f:
            NumpyPickler(f, protocol).dump(obj)
    model = {'coef': np.arange(40, dtype=np.float64).reshape(5, 8), 'classes': np.array([1, 2, 3], dtype=np.int32), 'name': 'clf'}
    dump_joblib(model, 'model-p2.joblib', 2)
    dump_joblib(model, 'model-p4.joblib', 4)
    objects = np.empty(2, dtype=object); objects[0] = 'ok'; objects[1] = Evil()
    dump_joblib({'coef': np.zeros(3), 'extra': objects}, 'nested-evil.joblib', 4)
except ImportError:
    pass
with zipfile.ZipFile(os.path.join(out, 'lambda.keras'), 'w') as z:
    z.writestr('config.json', '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"name": "l", "function": "abc"}}]}}')
    z.writestr('metadata.json', '{"keras_version": "3.0.0"}')
`,
    [dir],
  );
  writeFileSync(`${dir}/README.md`, 'not a model');
}
