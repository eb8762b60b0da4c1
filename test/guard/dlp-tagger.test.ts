/**
 * The PERSON/ADDRESS tagger on in-repo fixtures: tokenisation, the word-list bit arrays, deterministic training
 * that learns names and addresses from a handful of sentences, the weight codec, and the shipped model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanText, type DlpFinding } from '../../src/guard/dlp/index.js';
import { decodeModel, detectNamesAndAddresses, encodeModel, Gazetteer, trainTagger, type LabelledSentence, type Lexicon } from '../../src/guard/dlp/tagger/index.js';
import { tokenize } from '../../src/guard/dlp/tagger/tokens.js';

test('tokens: words keep inner apostrophes and hyphens, numbers their dashes, punctuation stands alone', () => {
  const text = "O'Neil-Smith, 12-14 Rue d'Alésia\nParis.";
  const t = tokenize(text);
  const words = Array.from({ length: t.count }, (_, i) => text.slice(t.start[i], t.end[i]));
  assert.deepEqual(words, ["O'Neil-Smith", ',', '12-14', 'Rue', "d'Alésia", 'Paris', '.']);
  assert.equal(t.newline[5], 1);
});

test('gazetteer: members are found, others mostly not, and the bytes round-trip', () => {
  const g = Gazetteer.build(['maria', 'lopez', 'madrid'], 12);
  assert.ok(g.has('maria') && g.has('madrid'));
  const others = ['table', 'window', 'river', 'green', 'seven', 'house', 'chair', 'cloud'].filter((w) => g.has(w));
  assert.ok(others.length <= 1, others.join());
  assert.ok(Gazetteer.fromBytes(g.bytes).has('lopez'));
});

const FIRST = ['Maria', 'Jonas', 'Aiko', 'Pedro', 'Ingrid', 'Tomasz', 'Leila', 'Oskar'];
const LAST = ['Lopez', 'Berg', 'Tanaka', 'Silva', 'Holm', 'Nowak', 'Haddad', 'Lind'];
const STREETS = ['Calle Mayor', 'Rue Oberkampf', 'Main Street', 'Hauptstrasse', 'Elm Road', 'Via Roma'];
const TEMPLATES = [
  (n: string, a: string) => `Please send the parcel to ${n} at ${a} tomorrow.`,
  (n: string, a: string) => `${n} moved to ${a} last year.`,
  (n: string, a: string) => `Contact ${n}, who lives at ${a}, about the invoice.`,
];

function fixtures(): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  let k = 0;
  for (const template of TEMPLATES)
    for (let i = 0; i < FIRST.length; i++) {
      const name = `${FIRST[i]} ${LAST[(i + k) % LAST.length]}`;
      const address = `${10 + i * 7} ${STREETS[(i + k) % STREETS.length]}`;
      const text = template(name, address);
      out.push({ text, spans: [
        { start: text.indexOf(name), end: text.indexOf(name) + name.length, type: 'PERSON' },
        { start: text.indexOf(address), end: text.indexOf(address) + address.length, type: 'ADDRESS' },
      ] });
      k++;
    }
  return out;
}

const lexicon: Lexicon = {
  names: Gazetteer.build([...FIRST, ...LAST, 'Elena', 'Novak'].map((w) => w.toLowerCase()), 12),
  places: Gazetteer.build(['madrid', 'paris'], 12),
  streets: Gazetteer.build(['street', 'road', 'calle', 'rue', 'via', 'avenue'], 10),
};

test('training is deterministic and learns names and addresses from a few sentences', () => {
  const a = trainTagger(fixtures(), lexicon, { epochs: 6, seed: 3 });
  const b = trainTagger(fixtures(), lexicon, { epochs: 6, seed: 3 });
  assert.deepEqual(encodeModel(a), encodeModel(b));
  const text = 'Please send the parcel to Elena Novak at 99 Avenue Foch tomorrow.';
  const out: DlpFinding[] = [];
  detectNamesAndAddresses(a, text, out);
  const found = out.map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
  assert.ok(found.includes('PERSON:Elena Novak'), found.join());
  assert.ok(found.some((f) => f.startsWith('ADDRESS:99 Avenue')), found.join());
});

test('the codec round-trips a model (16-bit weights)', () => {
  const model = trainTagger(fixtures(), lexicon, { epochs: 3, seed: 1 });
  const back = decodeModel(encodeModel(model));
  const text = 'Contact Pedro Silva, who lives at 12 Elm Road, about the invoice.';
  const a: DlpFinding[] = [];
  const b: DlpFinding[] = [];
  detectNamesAndAddresses(model, text, a);
  detectNamesAndAddresses(back, text, b);
  assert.deepEqual(b, a);
});

test('the shipped model finds a name and an address, and leaves plain prose alone', () => {
  const text = 'My name is Sigrid Nyström and I moved to 1600 Pennsylvania Avenue, Washington, DC 20500.';
  const found = scanText(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
  assert.ok(found.includes('PERSON:Sigrid Nyström'), found.join());
  assert.ok(found.some((f) => f.startsWith('ADDRESS:1600 Pennsylvania Avenue')), found.join());
  assert.deepEqual(scanText('the build passed and the tests are green, so we can merge it today.'), []);
  assert.deepEqual(scanText('x', { bestEffort: false }), []);
});
