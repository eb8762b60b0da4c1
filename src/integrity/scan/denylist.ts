/**
 * Classification of pickle imports. The dangerous set follows the published deny-lists of ModelScan
 * (protectai/modelscan `settings.py` unsafe_globals) and picklescan (`_unsafe_globals`); the safe set is
 * the known tensor/numpy rebuild functions and plain containers. Anything else is suspicious.
 */
import type { Verdict } from './verdict.js';

const ALL = '*';

/** module -> names ('*' = every name in the module and its submodules). */
const DANGEROUS: Record<string, string[] | typeof ALL> = {
  os: ALL,
  posix: ALL,
  nt: ALL,
  subprocess: ALL,
  _posixsubprocess: ALL,
  sys: ALL,
  socket: ALL,
  runpy: ALL,
  pty: ALL,
  shutil: ALL,
  ctypes: ALL,
  pickle: ALL,
  _pickle: ALL,
  dill: ALL,
  marshal: ALL,
  code: ALL,
  codeop: ALL,
  importlib: ALL,
  webbrowser: ALL,
  requests: ALL,
  urllib: ALL,
  urllib2: ALL,
  urllib3: ALL,
  httplib: ALL,
  http: ALL,
  aiohttp: ALL,
  httpx: ALL,
  ftplib: ALL,
  smtplib: ALL,
  telnetlib: ALL,
  pip: ALL,
  setuptools: ALL,
  multiprocessing: ALL,
  asyncio: ALL,
  bdb: ALL,
  pdb: ALL,
  timeit: ALL,
  cProfile: ALL,
  profile: ALL,
  trace: ALL,
  tempfile: ALL,
  signal: ALL,
  venv: ALL,
  ensurepip: ALL,
  pydoc: ['pipepager', 'pager', 'tempfilepager'],
  builtins: ['eval', 'exec', 'execfile', 'compile', 'open', 'breakpoint', 'getattr', 'setattr', 'delattr', '__import__', 'globals', 'locals', 'vars', 'input', 'apply', 'memoryview', 'help'],
  __builtin__: ['eval', 'exec', 'execfile', 'compile', 'open', 'breakpoint', 'getattr', 'setattr', 'delattr', '__import__', 'globals', 'locals', 'vars', 'input', 'apply', 'file', 'reload'],
  functools: ['partial', 'reduce'],
  types: ['CodeType', 'FunctionType', 'MethodType', 'ModuleType'],
  operator: ['attrgetter', 'methodcaller', 'itemgetter'],
  'torch.hub': ALL,
  'torch.jit': ALL,
  'torch.storage': ['_load_from_bytes'],
  'numpy.testing._private.utils': ALL,
  'numpy.f2py': ALL,
  'numpy.distutils': ALL,
};

const SAFE: Record<string, string[]> = {
  collections: ['OrderedDict', 'defaultdict', 'Counter', 'deque'],
  builtins: ['set', 'frozenset', 'slice', 'range', 'complex', 'bytearray', 'bytes', 'dict', 'list', 'tuple', 'int', 'float', 'bool', 'str', 'object', 'type'],
  __builtin__: ['set', 'frozenset', 'slice', 'xrange', 'complex', 'bytearray', 'dict', 'list', 'tuple', 'int', 'long', 'float', 'bool', 'str', 'unicode', 'object'],
  _codecs: ['encode'],
  copyreg: ['_reconstructor'],
  copy_reg: ['_reconstructor'],
  torch: [
    'Size', 'device', 'dtype', 'float32', 'float16', 'bfloat16', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
    'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage', 'ShortStorage', 'CharStorage',
    'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage', 'QInt8Storage', 'QInt32Storage', 'QUInt8Storage',
    'QUInt4x2Storage', 'QUInt2x4Storage', 'UntypedStorage', 'TypedStorage',
  ],
  'torch._utils': [
    '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state', '_rebuild_qtensor',
    '_rebuild_sparse_tensor', '_rebuild_meta_tensor_no_storage', '_rebuild_nested_tensor', '_rebuild_device_tensor_from_numpy',
    '_rebuild_wrapper_subclass', '_rebuild_xla_tensor', '_rebuild_mtia_tensor',
  ],
  'torch._tensor': ['_rebuild_from_type', '_rebuild_from_type_v2'],
  'torch.nn.parameter': ['Parameter'],
  'numpy.core.multiarray': ['_reconstruct', 'scalar'],
  'numpy._core.multiarray': ['_reconstruct', 'scalar'],
  'numpy.core.numeric': ['_frombuffer'],
  'numpy._core.numeric': ['_frombuffer'],
  numpy: ['ndarray', 'dtype'],
  'joblib.numpy_pickle': ['NumpyArrayWrapper'],
  'sklearn.utils._bunch': ['Bunch'],
};

function inModule(module: string, root: string): boolean {
  return module === root || module.startsWith(root + '.');
}

/** Classes one `module.name` import. */
export function classifyImport(module: string, name: string): Verdict {
  for (const [root, names] of Object.entries(DANGEROUS)) {
    if (!inModule(module, root)) continue;
    if (names === ALL) return 'dangerous';
    // `builtins.eval`, but also attribute chains such as `os.path` inside a name.
    if (module === root && names.includes(name.split('.')[0] ?? name)) return 'dangerous';
  }
  // own-property lookup: a module named `constructor` or `__proto__` must not reach Object's members
  if (Object.hasOwn(SAFE, module) && SAFE[module]?.includes(name)) return 'safe';
  // numpy dtypes and scalar types (`numpy.float32`, `numpy.dtypes.Float32DType`).
  if ((module === 'numpy' || module === 'numpy.dtypes') && /^(?:u?int\d*|float\d*|complex\d*|bool_?|[A-Z][A-Za-z0-9]*DType)$/.test(name)) return 'safe';
  return 'suspicious';
}
