/**
 * Peer detectors for the side-by-side DLP evaluation (installed under eval/ only, never runtime deps):
 * openredaction, @openai/guardrails' regex PII check, secretlint 12 with the recommended preset.
 * Each maps its own labels onto the evaluation's types; labels with no counterpart are dropped.
 */
export interface Span {
  start: number;
  end: number;
  type: string;
}

export interface Peer {
  name: string;
  detect(text: string): Promise<Span[]>;
}

const NATIONAL = /^(?:UK_NHS|UK_NINO|ES_NIF|ES_NIE|IT_FISCAL_CODE|IT_IDENTITY_CARD|IT_VAT_CODE|PL_PESEL|SG_NRIC_FIN|SG_UEN|AU_ABN|AU_ACN|AU_TFN|AU_MEDICARE|IN_PAN|IN_AADHAAR|IN_VOTER|FI_PERSONAL_IDENTITY_CODE|KR_RRN|US_ITIN)$/;

function mapOpenAi(label: string): string | undefined {
  const m: Record<string, string> = {
    CREDIT_CARD: 'CREDIT_CARD', EMAIL_ADDRESS: 'EMAIL', IBAN_CODE: 'IBAN', IP_ADDRESS: 'IP', PHONE_NUMBER: 'PHONE', US_SSN: 'SSN', CRYPTO: 'CRYPTO_WALLET', PERSON: 'PERSON',
  };
  return m[label] ?? (NATIONAL.test(label) ? 'NATIONAL_ID' : undefined);
}

function mapOpenRedaction(label: string): string | undefined {
  const l = label.toUpperCase();
  if (/EMAIL/.test(l)) return 'EMAIL';
  if (/PHONE|MOBILE|TELEPHONE/.test(l)) return 'PHONE';
  if (/CREDIT_CARD|CARD_NUMBER/.test(l)) return 'CREDIT_CARD';
  if (/IBAN/.test(l)) return 'IBAN';
  if (/^SSN$|US_SSN|SOCIAL_SECURITY/.test(l)) return 'SSN';
  if (/^IP|IPV4|IPV6|IP_ADDRESS/.test(l)) return 'IP';
  if (/MAC/.test(l)) return 'MAC_ADDRESS';
  if (/BITCOIN|ETHEREUM|CRYPTO|WALLET/.test(l)) return 'CRYPTO_WALLET';
  if (/NAME|PERSON/.test(l) && !/USER|FILE|HOST|DOMAIN/.test(l)) return 'PERSON';
  if (/ADDRESS|STREET/.test(l)) return 'ADDRESS';
  if (/KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL|JWT|PRIVATE/.test(l)) return 'SECRET';
  if (/NATIONAL|NHS|NINO|PASSPORT_NO|TAX_ID|PESEL|SIN$|PERSONNUMMER|DNI|NIE|NIF|AADHAAR|RRN/.test(l)) return 'NATIONAL_ID';
  return undefined;
}

function allOccurrences(text: string, value: string): number[] {
  const out: number[] = [];
  if (!value) return out;
  let i = text.indexOf(value);
  while (i !== -1) {
    out.push(i);
    i = text.indexOf(value, i + value.length);
  }
  return out;
}

/** Peers live in eval/node_modules only; importing by name keeps Warden's own typecheck free of them. */
async function importPeer<T>(name: string): Promise<T> {
  return (await import(name)) as T;
}

export async function loadPeers(): Promise<Peer[]> {
  const peers: Peer[] = [];

  const { OpenRedaction } = await importPeer<{
    OpenRedaction: new (o: object) => { detect(t: string): Promise<{ detections: { type: string; position: [number, number] }[] }> };
  }>('openredaction');
  const redactor = new OpenRedaction({ redactionMode: 'placeholder' });
  const orDetect = async (text: string): Promise<Span[]> => {
    const r = await redactor.detect(text);
    return r.detections.flatMap((d) => {
      const type = mapOpenRedaction(d.type);
      return type ? [{ start: d.position[0], end: d.position[1], type }] : [];
    });
  };
  peers.push({ name: 'openredaction 1.1.5 (placeholder mode)', detect: orDetect });

  const piiModule = await importPeer<{
    pii: (ctx: object, text: string, cfg: object) => Promise<{ info: { detected_entities: Record<string, string[]> } }>;
    PIIConfig: { parse(o: object): { entities: string[] } };
  }>('@openai/guardrails/dist/checks/pii.js');
  const entities = piiModule.PIIConfig.parse({}).entities;
  const oaDetect = async (text: string): Promise<Span[]> => {
    if (!text.trim()) return [];
    const r = await piiModule.pii({}, text, { entities, block: false, detect_encoded_pii: false });
    const spans: Span[] = [];
    for (const [label, values] of Object.entries(r.info.detected_entities)) {
      const type = mapOpenAi(label);
      if (!type) continue;
      for (const v of new Set(values)) for (const at of allOccurrences(text, v)) spans.push({ start: at, end: at + v.length, type });
    }
    return spans;
  };
  peers.push({ name: '@openai/guardrails 0.2.1 PII (regex, default entities)', detect: oaDetect });

  const { lintSource } = await importPeer<{
    lintSource(o: object): Promise<{ messages: { range: [number, number]; ruleId: string }[] }>;
  }>('@secretlint/core');
  const presetModule = await importPeer<{ creator: object }>('@secretlint/secretlint-rule-preset-recommend');
  const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: presetModule.creator }] };
  const slDetect = async (text: string): Promise<Span[]> => {
    const r = await lintSource({
      source: { content: text, filePath: '/input.txt', ext: '.txt', contentType: 'text' },
      options: { config },
    });
    return r.messages.map((m) => ({ start: m.range[0], end: m.range[1], type: 'SECRET' }));
  };
  peers.push({ name: 'secretlint 12.3.1 (preset-recommend)', detect: slDetect });
  return peers;
}
