/** Context words near a candidate raise confidence (or are required for ambiguous number shapes). */

/** True when `words` matches within `before` characters before `start` or `after` characters after `end`. */
export function hasContext(text: string, start: number, end: number, words: RegExp, before = 48, after = 24): boolean {
  const left = text.slice(Math.max(0, start - before), start);
  const right = text.slice(end, Math.min(text.length, end + after));
  return words.test(left) || words.test(right);
}

export const PHONE_CONTEXT = /\b(?:phone|tel|telefon|telephone|mobile|mobil|cell|call(?:ing)?|fax|office|contact|reach|text|sms|whatsapp|dial|messages?|answering|ring|number|nummer|no\.|hotline)\b|\bt:|\bm:|\bp:/i;
/** Numbers introduced by these words are identifiers or addresses, not phone numbers. */
export const NOT_PHONE_CONTEXT = /\b(?:licen[cs]e|account|card|passport|ssn|iban|order|invoice|zip|postal|postcode|suite|apt|apartment|address|located at|is at|arrived at|id|serial|tracking)\b[^\n]{0,30}$/i;
export const SSN_CONTEXT = /\b(?:ssn|ss#|social\s*security|sozialversicherung|taxpayer|tin)\b/i;
export const CARD_CONTEXT = /\b(?:card|credit|debit|visa|mastercard|amex|cc|kreditkarte|karte|payment|pan)\b/i;
export const NATIONAL_ID_CONTEXT = /\b(?:id|identity|identification|national|personal|citizen|pesel|sin|nhs|tfn|abn|rrn|tckn|kimlik|steuer(?:-?id)?|tax|henkilötunnus|hetu|personnummer|resident|npi|provider|nif|nie|dni|insurance)\b/i;
