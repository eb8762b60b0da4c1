/**
 * A pickle opcode parser that never executes anything: it walks protocols 0 to 5, simulates just enough
 * of the stack to resolve STACK_GLOBAL operands, and records every GLOBAL / STACK_GLOBAL / INST import
 * together with the opcodes (REDUCE, BUILD, OBJ, NEWOBJ, INST) that use it. Bounded: every length is
 * checked against the data, the stack and memo are capped, and huge byte strings are skipped unread.
 *
 * @example
 * const result = parsePickles(new BufferSource(readFileSync('model.pkl')));
 * for (const imp of result.imports) console.log(imp.module, imp.name, imp.verdict);
 */
import { classifyImport } from './denylist.js';
import { TruncatedError, type ByteSource } from './source.js';
import {
  dictSet, intValue, MARK, MAX_NESTING, MAX_STRING, OTHER, PickleError, readLine, stringArg, tuple, u32, u64, unquote, type Value,
} from './pickle-values.js';
import type { Verdict } from './verdict.js';
import { elementCount, itemSize, WRAPPER_MODULE, WRAPPER_NAMES } from './numpy-array.js';

export interface PickleImport {
  module: string;
  name: string;
  opcode: 'GLOBAL' | 'STACK_GLOBAL' | 'INST' | 'EXT';
  offset: number;
  /** Opcodes that used the imported object (call or state-set). */
  usedBy: string[];
  verdict: Verdict;
}

export interface PickleResult {
  imports: PickleImport[];
  /** Pickles (STOP-terminated streams) found one after another. */
  pickles: number;
  highestProtocol: number;
  /** Problems that stopped the parse: truncated data, an unknown opcode, a non-constant STACK_GLOBAL... */
  errors: { offset: number; message: string }[];
  /** Bytes after the last complete pickle that were not parsed (tensor data in legacy torch files). */
  trailingBytes: number;
  /**
   * Offsets right after the BUILD of each joblib NumpyArrayWrapper. In joblib's format the array's raw
   * bytes follow there; `pickle.load` reads the same bytes as opcodes.
   */
  joblibArrayStarts: number[];
  /** Bytes skipped as joblib array data (only with `joblibArrays`). */
  skippedArrayBytes: number;
}

export interface PickleLimits {
  maxStack?: number;
  maxMemo?: number;
  maxOps?: number;
  /** Stop after this many consecutive pickles (legacy torch files hold 5). */
  maxPickles?: number;
  /**
   * Read the stream as `joblib.load` does: the raw bytes of a numeric array follow its NumpyArrayWrapper
   * and are skipped (bounded by the data: a skip past the end is an error). Off by default: `pickle.load`
   * and `torch.load` read those bytes as opcodes, and so does this parser then.
   */
  joblibArrays?: boolean;
}

interface Context {
  src: ByteSource;
  result: PickleResult;
  maxStack: number;
  maxMemo: number;
  maxOps: number;
  ops: number;
  joblibArrays: boolean;
}

export function parsePickles(src: ByteSource, limits: PickleLimits = {}): PickleResult {
  const result: PickleResult = { imports: [], pickles: 0, highestProtocol: 0, errors: [], trailingBytes: 0, joblibArrayStarts: [], skippedArrayBytes: 0 };
  const ctx: Context = {
    src,
    result,
    maxStack: limits.maxStack ?? 100_000,
    maxMemo: limits.maxMemo ?? 100_000,
    maxOps: limits.maxOps ?? 50_000_000,
    ops: 0,
    joblibArrays: limits.joblibArrays ?? false,
  };
  const maxPickles = limits.maxPickles ?? 16;
  while (src.position < src.size && result.pickles < maxPickles) {
    const pickleStart = src.position;
    try {
      parseOne(ctx, 0);
      result.pickles++;
    } catch (error) {
      if (!(error instanceof PickleError) && !(error instanceof TruncatedError)) throw error;
      // A failure on the first opcode after a complete pickle is trailing data (tensor bytes), not an error.
      if (result.pickles > 0 && src.position <= pickleStart + 1) {
        src.position = pickleStart;
        break;
      }
      result.errors.push({ offset: src.position, message: error.message });
      return result;
    }
  }
  result.trailingBytes = src.size - src.position;
  return result;
}

/** Parses one STOP-terminated pickle at the current position (recursively for joblib object arrays). */
function parseOne(ctx: Context, depth: number): void {
  const { src, result } = ctx;
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  const pop = (): Value => {
    const v = stack.pop();
    if (v === undefined) throw new PickleError('stack underflow');
    return v;
  };
  const popMark = (): Value[] => {
    const items: Value[] = [];
    for (;;) {
      const v = pop();
      if (v.t === 'mark') return items.reverse();
      items.push(v);
    }
  };
  const push = (v: Value): void => {
    if (stack.length >= ctx.maxStack) throw new PickleError('stack too deep');
    stack.push(v);
  };
  const importOf = (v: Value | undefined): PickleImport | undefined => (v?.t === 'global' ? v.imp : v?.t === 'other' ? v.from : undefined);
  const use = (v: Value | undefined, op: string): void => {
    const imp = importOf(v);
    if (imp && !imp.usedBy.includes(op)) imp.usedBy.push(op);
  };
  const resultOf = (callable: Value | undefined): Value => {
    const imp = importOf(callable);
    return imp ? { t: 'other', from: imp } : OTHER;
  };
  const addImport = (module: string, name: string, opcode: PickleImport['opcode'], offset: number): PickleImport => {
    const imp: PickleImport = { module, name, opcode, offset, usedBy: [], verdict: classifyImport(module, name) };
    result.imports.push(imp);
    return imp;
  };
  const extension = (code: number, offset: number): PickleImport => {
    const imp = addImport('copyreg', `extension code ${code}`, 'EXT', offset);
    imp.verdict = imp.verdict === 'dangerous' ? 'dangerous' : 'suspicious';
    return imp;
  };
  const setMemo = (index: number): void => {
    if (memo.size >= ctx.maxMemo && !memo.has(index)) throw new PickleError('memo too large');
    memo.set(index, stack[stack.length - 1] ?? OTHER);
  };
  /** joblib: after a NumpyArrayWrapper's BUILD come the array's raw bytes (or a nested pickle). */
  const skipJoblibArray = (state: Value): void => {
    if (state.t !== 'dict') throw new PickleError('NumpyArrayWrapper state is not a dict');
    const shape = state.entries.get('shape');
    const dtype = state.entries.get('dtype');
    const align = state.entries.get('numpy_array_alignment_bytes');
    const size = dtype?.t === 'other' && dtype.dtype ? itemSize(dtype.dtype) : undefined;
    if (size === 'object') {
      if (depth >= MAX_NESTING) throw new PickleError('nested pickles too deep');
      parseOne(ctx, depth + 1);
      return;
    }
    const count = shape?.t === 'tuple' ? elementCount(shape.items.map((d) => (d.t === 'int' ? d.v : undefined))) : undefined;
    if (size === undefined || count === undefined) throw new PickleError('NumpyArrayWrapper with an unreadable shape or dtype');
    const start = src.position;
    if (align?.t === 'int') src.skip(src.read(1)[0] as number);
    const bytes = count * size;
    if (!Number.isSafeInteger(bytes)) throw new PickleError('array size out of range');
    // bounded by the data: a wrapper claiming more bytes than remain is an error, not a skip to the end
    if (bytes > src.size - src.position) throw new PickleError(`NumpyArrayWrapper claims ${bytes} bytes, more than remain`);
    src.skip(bytes);
    result.skippedArrayBytes += src.position - start;
  };

  for (;;) {
    if (++ctx.ops > ctx.maxOps) throw new PickleError('too many opcodes');
    const offset = src.position;
    const op = src.read(1)[0] as number;
    switch (op) {
      case 0x80: { // PROTO
        const proto = src.read(1)[0] as number;
        if (proto > 5) throw new PickleError(`unsupported protocol ${proto}`);
        result.highestProtocol = Math.max(result.highestProtocol, proto);
        break;
      }
      case 0x95: src.skip(8); break; // FRAME
      case 0x2e: return; // STOP
      case 0x28: push(MARK); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: { const top = pop(); push(top); push(top); break; } // DUP
      case 0x46: readLine(src); push(OTHER); break; // FLOAT
      case 0x49: case 0x4c: push(intValue(readLine(src))); break; // INT LONG
      case 0x4a: push({ t: 'int', v: src.read(4).readInt32LE(0) }); break; // BININT
      case 0x4b: push({ t: 'int', v: src.read(1)[0] as number }); break; // BININT1
      case 0x4d: push({ t: 'int', v: src.read(2).readUInt16LE(0) }); break; // BININT2
      case 0x47: src.skip(8); push(OTHER); break; // BINFLOAT
      case 0x8a: { // LONG1
        const n = src.read(1)[0] as number;
        const bytes = src.read(n);
        push(n > 0 && n <= 6 ? { t: 'int', v: bytes.readIntLE(0, n) } : n === 0 ? { t: 'int', v: 0 } : OTHER);
        break;
      }
      case 0x8b: src.skip(u32(src)); push(OTHER); break; // LONG4
      case 0x4e: case 0x88: case 0x89: push(OTHER); break; // NONE NEWTRUE NEWFALSE
      case 0x50: readLine(src); push(OTHER); break; // PERSID
      case 0x51: pop(); push(OTHER); break; // BINPERSID
      case 0x53: push({ t: 'str', v: unquote(readLine(src)) }); break; // STRING
      case 0x54: push(stringArg(src, u32(src), 'latin1')); break; // BINSTRING
      case 0x55: push(stringArg(src, src.read(1)[0] as number, 'latin1')); break; // SHORT_BINSTRING
      case 0x56: push({ t: 'str', v: readLine(src) }); break; // UNICODE (raw-unicode-escape)
      case 0x58: push(stringArg(src, u32(src), 'utf8')); break; // BINUNICODE
      case 0x8c: push(stringArg(src, src.read(1)[0] as number, 'utf8')); break; // SHORT_BINUNICODE
      case 0x8d: push(stringArg(src, u64(src), 'utf8')); break; // BINUNICODE8
      case 0x42: src.skip(u32(src)); push(OTHER); break; // BINBYTES
      case 0x43: src.skip(src.read(1)[0] as number); push(OTHER); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: src.skip(u64(src)); push(OTHER); break; // BINBYTES8 BYTEARRAY8
      case 0x97: push(OTHER); break; // NEXT_BUFFER
      case 0x98: break; // READONLY_BUFFER
      case 0x7d: push({ t: 'dict', entries: new Map() }); break; // EMPTY_DICT
      case 0x5d: case 0x8f: push(OTHER); break; // EMPTY_LIST EMPTY_SET
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x61: pop(); break; // APPEND
      case 0x65: case 0x90: popMark(); break; // APPENDS ADDITEMS
      case 0x73: { const value = pop(); const key = pop(); dictSet(stack[stack.length - 1], key, value); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        for (let i = 0; i + 1 < items.length; i += 2) dictSet(stack[stack.length - 1], items[i] as Value, items[i + 1] as Value);
        break;
      }
      case 0x64: { // DICT
        const items = popMark();
        const dict: Value = { t: 'dict', entries: new Map() };
        for (let i = 0; i + 1 < items.length; i += 2) dictSet(dict, items[i] as Value, items[i + 1] as Value);
        push(dict);
        break;
      }
      case 0x6c: case 0x91: popMark(); push(OTHER); break; // LIST FROZENSET
      case 0x74: push(tuple(popMark())); break; // TUPLE
      case 0x85: push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(tuple([a, b, c])); break; } // TUPLE3
      case 0x67: { const v = memo.get(Number(readLine(src))); push(v ?? OTHER); break; } // GET
      case 0x68: push(memo.get(src.read(1)[0] as number) ?? OTHER); break; // BINGET
      case 0x6a: push(memo.get(u32(src)) ?? OTHER); break; // LONG_BINGET
      case 0x70: setMemo(Number(readLine(src))); break; // PUT
      case 0x71: setMemo(src.read(1)[0] as number); break; // BINPUT
      case 0x72: setMemo(u32(src)); break; // LONG_BINPUT
      case 0x94: setMemo(memo.size); break; // MEMOIZE
      case 0x63: { // GLOBAL
        const module = readLine(src, MAX_STRING);
        const name = readLine(src, MAX_STRING);
        push({ t: 'global', imp: addImport(module, name, 'GLOBAL', offset) });
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (module.t !== 'str' || name.t !== 'str') {
          const imp = addImport('?', '?', 'STACK_GLOBAL', offset);
          imp.verdict = 'suspicious';
          push({ t: 'global', imp });
          result.errors.push({ offset, message: 'STACK_GLOBAL with operands that are not constant strings' });
        } else {
          push({ t: 'global', imp: addImport(module.v, name.v, 'STACK_GLOBAL', offset) });
        }
        break;
      }
      case 0x69: { // INST
        const module = readLine(src, MAX_STRING);
        const name = readLine(src, MAX_STRING);
        popMark();
        const imp = addImport(module, name, 'INST', offset);
        imp.usedBy.push('INST');
        push({ t: 'other', from: imp });
        break;
      }
      case 0x6f: { // OBJ
        const items = popMark();
        use(items[0], 'OBJ');
        push(resultOf(items[0]));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        use(callable, 'REDUCE');
        const imp = importOf(callable);
        const first = args.t === 'tuple' ? args.items[0] : undefined;
        if (imp && imp.module === 'numpy' && imp.name === 'dtype' && first?.t === 'str') push({ t: 'other', from: imp, dtype: first.v });
        else push(resultOf(callable));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = stack[stack.length - 1];
        if (target === undefined) throw new PickleError('stack underflow');
        use(target, 'BUILD');
        const imp = importOf(target);
        if (imp && target.t === 'other' && imp.module === WRAPPER_MODULE && WRAPPER_NAMES.has(imp.name)) {
          result.joblibArrayStarts.push(src.position);
          // a joblib-only rule: applied only when the stream is read as joblib reads it
          if (ctx.joblibArrays) skipJoblibArray(state);
        }
        break;
      }
      case 0x81: { pop(); const cls = pop(); use(cls, 'NEWOBJ'); push(resultOf(cls)); break; } // NEWOBJ
      case 0x92: { pop(); pop(); const cls = pop(); use(cls, 'NEWOBJ_EX'); push(resultOf(cls)); break; } // NEWOBJ_EX
      // EXT1/2/4 import whatever the loading process registered under that code with
      // copyreg.add_extension: nothing here can say what that is, so it is never vouched for
      case 0x82: push({ t: 'global', imp: extension(src.read(1)[0] as number, offset) }); break; // EXT1
      case 0x83: push({ t: 'global', imp: extension(src.read(2).readUInt16LE(0), offset) }); break; // EXT2
      case 0x84: push({ t: 'global', imp: extension(src.read(4).readInt32LE(0), offset) }); break; // EXT4
      default:
        throw new PickleError(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}
