/**
 * The word lists behind the tagger's lexicon features, read from npm packages installed as devDependencies
 * (never at run time: the trained model keeps only bit arrays of them). Licences, recorded in
 * docs/dlp.md and src/guard/dlp/tagger/LISTS.md:
 * - humannames 1.0.5 (MIT, Alex Corvi): about 197,000 given names and surnames;
 * - cities-list 1.0.3 (MIT, Alex Corvi): about 79,000 city names;
 * - street-types 1.0.1 (MIT, Tejesh Mehta): USPS street suffixes and abbreviations;
 * - the street words of other languages and the country and region names below, written for Warden (Apache-2.0).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Gazetteer } from '../src/guard/dlp/tagger/gazetteer.js';
import { STOP_WORDS, type Lexicon } from '../src/guard/dlp/tagger/features.js';

const require = createRequire(import.meta.url);

/** Street words of languages the USPS list does not cover. */
const STREET_WORDS_INTL =
  'straße strasse str weg gasse platz allee ring damm ufer chaussee rue avenue boulevard bd chemin impasse allée quai place cours ' +
  'via viale piazza vicolo corso largo calle avenida av avda carrer camino paseo plaza rua travessa praça estrada alameda ' +
  'katu tie kuja gatan vägen gränd torget vej gade stræde allé laan straat plein steeg gracht weg dreef kade ' +
  'ulica ul aleja plac utca út tér ulice náměstí sokak cadde caddesi bulvar mahallesi yolu ' +
  'road rd street st lane ln close crescent cres drive dr court ct terrace tce parade walk grove mews row hill gardens square sq';

/** Countries and large regions in English, and US/Canadian/Australian state codes written out. */
const PLACES_EXTRA =
  'afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas bahrain bangladesh barbados belarus ' +
  'belgium belize benin bhutan bolivia bosnia botswana brazil brunei bulgaria burundi cambodia cameroon canada chad chile china colombia ' +
  'comoros congo croatia cuba cyprus czechia czech denmark djibouti dominica ecuador egypt eritrea estonia eswatini ethiopia fiji finland ' +
  'france gabon gambia georgia germany ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india indonesia iran iraq ' +
  'ireland israel italy jamaica japan jordan kazakhstan kenya kiribati korea kosovo kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya ' +
  'liechtenstein lithuania luxembourg madagascar malawi malaysia maldives mali malta mauritania mauritius mexico micronesia moldova monaco ' +
  'mongolia montenegro morocco mozambique myanmar namibia nauru nepal netherlands zealand nicaragua niger nigeria macedonia norway oman ' +
  'pakistan palau panama paraguay peru philippines poland portugal qatar romania russia rwanda samoa senegal serbia seychelles singapore ' +
  'slovakia slovenia somalia spain lanka sudan suriname sweden switzerland syria taiwan tajikistan tanzania thailand togo tonga trinidad ' +
  'tunisia turkey turkmenistan tuvalu uganda ukraine emirates kingdom uruguay uzbekistan vanuatu venezuela vietnam yemen zambia zimbabwe ' +
  'usa uk england scotland wales alabama alaska arizona arkansas california colorado connecticut delaware florida hawaii idaho illinois ' +
  'indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada ' +
  'hampshire jersey mexico york carolina dakota ohio oklahoma oregon pennsylvania rhode tennessee texas utah vermont virginia washington ' +
  'wisconsin wyoming ontario quebec alberta manitoba saskatchewan columbia queensland victoria tasmania bavaria';

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l.length > 1);
}

/** Given names and surnames from humannames, without one- and two-letter entries and common words. */
function readNameList(): string[] {
  return lines(require.resolve('humannames/list.txt')).filter((n) => n.length > 2 && !STOP_WORDS.has(n) && /^[\p{L}'-]+$/u.test(n));
}

/** Builds the lexicon from the installed packages (disk reads: training only). */
export function readLexiconFromPackages(): Lexicon {
  const names = readNameList();
  const cities = lines(require.resolve('cities-list/list.txt'));
  const streetTypes = require('street-types') as { suffix: string; abbrs: string[] }[];
  const streets = new Set<string>(STREET_WORDS_INTL.split(' '));
  for (const t of streetTypes) {
    streets.add(t.suffix.trim().toLowerCase());
    for (const a of t.abbrs) streets.add(a.trim().toLowerCase());
  }
  // Multi-word city names contribute each word (tokens are single words).
  const placeWords = new Set<string>(PLACES_EXTRA.split(' '));
  for (const c of cities) for (const w of c.split(/[\s-]+/)) if (w.length > 2 && !STOP_WORDS.has(w)) placeWords.add(w);
  return {
    names: Gazetteer.build(names, 21),
    places: Gazetteer.build(placeWords, 20),
    streets: Gazetteer.build(streets, 13),
  };
}
