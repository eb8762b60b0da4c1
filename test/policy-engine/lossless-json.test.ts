/** The lossless JSON reader and writer (src/core/json): Cedar data, signed statements. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonFloat, JsonSyntaxError, needsLosslessJson, parseJsonLossless, stringifyJsonLossless } from '../../src/core/json/index.js';

test('integers stay exact: numbers while a double holds them, bigints beyond', () => {
  const v = parseJsonLossless('[9007199254740991, 9007199254740992, 9007199254740993, -9223372036854775808, 123456789012345678901234567890]') as unknown[];
  assert.deepEqual(v, [9007199254740991, 9007199254740992n, 9007199254740993n, -9223372036854775808n, 123456789012345678901234567890n]);
});

test('a fraction, an exponent or -0 is a float, kept as written', () => {
  for (const lexeme of ['1.0', '1e3', '1E+2', '-0', '0.5', '-2.5e-3']) {
    const v = parseJsonLossless(lexeme);
    assert.ok(v instanceof JsonFloat, lexeme);
    assert.equal(v.text, lexeme);
  }
  assert.equal(parseJsonLossless('0'), 0);
});

test('a duplicate key is refused; __proto__ is an ordinary key', () => {
  assert.throws(() => parseJsonLossless('{"a": 1, "b": {"c": 1, "c": 2}}'), (e: unknown) => e instanceof JsonSyntaxError && /duplicate key "c"/.test(e.message));
  const o = parseJsonLossless('{"__proto__": {"polluted": true}, "constructor": 1}') as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['__proto__', 'constructor']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(o), null);
});

test('malformed text is a JsonSyntaxError with an offset, never a crash; nesting is bounded', () => {
  for (const bad of ['', '01', '1.', '.5', '+1', '[1,]', '{"a":1,}', '{"a" 1}', "{'a':1}", '"\\x"', '"a\nb"', 'nul', '[1] 2', '\ufeff{}', 'NaN', '"\\u12"']) {
    assert.throws(() => parseJsonLossless(bad), JsonSyntaxError, JSON.stringify(bad));
  }
  assert.throws(() => parseJsonLossless('['.repeat(300) + ']'.repeat(300)), /nested too deeply/);
  assert.deepEqual(parseJsonLossless('['.repeat(10) + ']'.repeat(10), { maxDepth: 10 }), [[[[[[[[[[]]]]]]]]]]);
});

test('agrees with JSON.parse on everything a double holds exactly', () => {
  const text = '{"s":"\\u00e9\\n\\"\\\\/\\ud83d\\ude00","t":true,"f":false,"n":null,"a":[1,-2,{"x":[]}],"e":{}}';
  assert.equal(stringifyJsonLossless(parseJsonLossless(text)), JSON.stringify(JSON.parse(text)));
});

test('the writer is the inverse: bigints and floats as their digits', () => {
  const text = '{"a":9223372036854775807,"b":[1.0,-0,1e3],"c":"x","d":{"__proto__":1}}';
  assert.equal(stringifyJsonLossless(parseJsonLossless(text)), text);
  assert.equal(stringifyJsonLossless({ a: undefined, b: [undefined], c: 1n }), '{"b":[null],"c":1}');
  assert.equal(needsLosslessJson({ a: [{ b: 1n }] }), true);
  assert.equal(needsLosslessJson({ a: [{ b: 1 }] }), false);
});

test('numbers: "double" reads numbers as JSON.parse does, still refusing duplicate keys', () => {
  assert.deepEqual(parseJsonLossless('[8.0, 1e3, 9007199254740993]', { numbers: 'double' }), [8, 1000, 9007199254740992]);
  assert.throws(() => parseJsonLossless('{"a": 1, "a": 2}', { numbers: 'double' }), /duplicate key/);
});
