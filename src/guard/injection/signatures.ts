/**
 * Precise signatures of known attack families, English and German. Each fires on normalised,
 * lower-cased text. A signature is a signal for the classifier and a reason in the result; the
 * classifier decides the score, so a benign text that quotes an attack is not flagged on one match.
 */
export type SignatureFamily =
  | 'instruction_override'
  | 'role_hijack'
  | 'system_prompt_extraction'
  | 'delimiter_injection'
  | 'payload_splitting'
  | 'developer_mode'
  | 'tool_call_hijack'
  | 'addressed_to_model';

export interface Signature {
  family: SignatureFamily;
  re: RegExp;
}

export const SIGNATURE_FAMILIES: readonly SignatureFamily[] = [
  'instruction_override',
  'role_hijack',
  'system_prompt_extraction',
  'delimiter_injection',
  'payload_splitting',
  'developer_mode',
  'tool_call_hijack',
  'addressed_to_model',
];

const PRIOR = '(?:previous|prior|preceding|above|earlier|foregoing|initial|original|old|all|any|every|your|my|the|these|those)';
const RULES = '(?:instructions?|rules?|prompts?|directions?|directives?|guidelines?|commands?|context|tasks?|assignments?|orders?|constraints?|restrictions?|programming|everything|all)';

export const SIGNATURES: readonly Signature[] = [
  // --- instruction override
  { family: 'instruction_override', re: new RegExp(`\\b(?:ignore|disregard|forget|skip|override|bypass|drop|abandon|neglect|overlook)\\b[^.!?\\n]{0,40}?\\b${PRIOR}\\b[^.!?\\n]{0,30}?\\b${RULES}\\b`) },
  { family: 'instruction_override', re: /\b(?:forget|ignore|disregard)\b (?:about )?(?:everything|all(?: that)?|what) (?:(?:i|you|we) )?(?:said|told|wrote|have been told|were told|was said|were given|before|above|so far)/ },
  { family: 'instruction_override', re: /\b(?:new|updated|real|actual|true) (?:instructions?|task|rules?|orders?)\s*(?::|(?:is|are) as follows|follow:)/ },
  { family: 'instruction_override', re: /\b(?:now|instead)\b[^.!?\n]{0,20}\b(?:focus on|concentrate on|your new task|do the following)\b/ },
  { family: 'instruction_override', re: /\b(?:that is done|well done|very good|excellent|great job)[.!]? ?(?:now|next)\b/ },
  { family: 'instruction_override', re: /\b(?:vergiss|vergessen sie|ignorier\w*|missacht\w*)\b[^.!?\n]{0,40}\b(?:alle[sn]?|vorherige\w*|vorangegangene\w*|obige\w*|bisherige\w*|anweisungen|aufgaben|gesagte\w*)\b/ },
  { family: 'instruction_override', re: /\b(?:alle[sn]?|vorherige\w*|vorangegangene\w*|obige\w*|bisherige\w*)\s+(?:anweisungen|aufgaben|instruktionen|regeln|befehle|ausführungen|gesagte)\b[^.!?\n]{0,40}\b(?:vergessen|ignorieren|streichen)\b/ },
  { family: 'instruction_override', re: /\b(?:neue aufgabe|konzentriere dich|nun bitten wir sie|jetzt bist du)\b/ },
  // other languages (attackers translate): French, Spanish, Italian, Portuguese, Dutch, Russian, Chinese
  { family: 'instruction_override', re: /\b(?:oubliez|oublie|ignorez|ignore)\b[^.!?\n]{0,30}\b(?:toutes? les|les|vos|tes) (?:instructions|consignes|règles|directives)\b/ },
  { family: 'instruction_override', re: /\b(?:olvida|olvide|ignora|ignore|dimentica|esqueça|esquece)\b[^.!?\n]{0,30}\b(?:todas? las|las|tus|sus|tutte le|le|todas as|as|suas) (?:instrucciones|reglas|istruzioni|regole|instruções|regras)\b/ },
  { family: 'instruction_override', re: /\b(?:vergeet|negeer)\b[^.!?\n]{0,30}\b(?:alle|de|je|uw) (?:vorige |eerdere )?(?:instructies|regels|opdrachten)\b/ },
  { family: 'instruction_override', re: /(?:забудь(?:те)?|игнорируй(?:те)?)[^.!?\n]{0,30}(?:все|предыдущие|свои)?\s*(?:инструкции|указания|правила)/ },
  { family: 'instruction_override', re: /(?:忽略|忘记|无视)[^。！？\n]{0,12}(?:之前|以上|上面|所有|先前)[^。！？\n]{0,8}(?:指令|指示|说明|规则|提示)/ },
  { family: 'system_prompt_extraction', re: /\b(?:montre|affiche|révèle|muestra|revela|mostra|rivela)\b[^.!?\n]{0,30}\b(?:prompt|instructions|instrucciones|istruzioni|instruções)\b/ },
  // --- role hijack
  { family: 'role_hijack', re: /\b(?:you are|you're) (?:now|no longer|going to (?:act|pretend|be)|from now on)\b/ },
  { family: 'role_hijack', re: /\bfrom now on\b[^.!?\n]{0,40}\b(?:you|act|respond|answer|reply|behave)\b/ },
  { family: 'role_hijack', re: /\b(?:act|behave|respond|answer) as (?:if you (?:were|are) )?(?:an? )?(?:unfiltered|uncensored|unrestricted|amoral|evil|rogue|jailbroken)\b/ },
  { family: 'role_hijack', re: /\b(?:pretend|imagine|roleplay|role-play) (?:to be|you are|that you are|as)\b[^.!?\n]{0,60}\b(?:no|without|free of|not bound by|any) (?:rules|restrictions|limits|filters|guidelines|ethic)/ },
  { family: 'role_hijack', re: /\b(?:ich möchte, dass sie als|du bist (?:jetzt|nun)|tu so, als|stell dir vor, du bist)\b/ },
  // --- system prompt extraction
  { family: 'system_prompt_extraction', re: /\b(?:show|print|reveal|repeat|display|output|tell me|give me|share|leak|dump|write out|what (?:is|was|were|are))\b[^.!?\n]{0,40}\b(?:system|initial|original|hidden|secret|full|previous|your) (?:prompts?|instructions?|message|rules|text|context)\b/ },
  { family: 'system_prompt_extraction', re: /\b(?:prompt[ _-]?texts?|your prompt|the words above|text above|everything above)\b/ },
  { family: 'system_prompt_extraction', re: /\b(?:zeige?|gib|nenne|verrate|wiederhole)\b[^.!?\n]{0,40}\b(?:prompt|anweisungen|systemnachricht|passwort)/ },
  // --- delimiter and format injection
  { family: 'delimiter_injection', re: /(?:<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|instructions?)>|^#{2,} ?(?:system|instruction|new instructions?)\b)/m },
  { family: 'delimiter_injection', re: /(?:^|\n)\s*(?:system|assistant|instruction|admin)\s*:\s*(?:you|ignore|new|from now|override|forget)/ },
  { family: 'delimiter_injection', re: /(?:-{3,}|={3,}|\*{3,}|#{3,})\s*(?:end of|begin|start of)? ?(?:document|context|input|data|user input|prompt|system)\b/ },
  // --- payload splitting
  { family: 'payload_splitting', re: /\b(?:a|b|c|x|y|z|s1|s2|part ?1|part ?2)\s*=\s*["'][^"']{1,60}["'][^\n]{0,80}\b(?:a|b|c|x|y|z|s1|s2|part ?1|part ?2)\s*\+\s*(?:a|b|c|x|y|z|s1|s2|part ?1|part ?2)\b/ },
  { family: 'payload_splitting', re: /\b(?:concatenate|combine|join)\b[^.!?\n]{0,40}\b(?:strings?|parts|pieces|letters)\b[^.!?\n]{0,40}\b(?:and (?:then )?(?:follow|execute|do|answer|respond))/ },
  // --- "developer mode"-style jailbreaks
  { family: 'developer_mode', re: /\b(?:developer|dev|god|jailbreak|jailbroken|unrestricted|unfiltered|dan|stan|dude|aim|evil(?:bot)?|anti-?gpt|betterdan) mode\b/ },
  { family: 'developer_mode', re: /\b(?:do anything now|dan\b[^.\n]{0,30}\bstands for|can do anything now|broken free of the typical confines)/ },
  { family: 'developer_mode', re: /\b(?:no|without any|free from|not bound by|doesn'?t have any|does not have any|ignore all) (?:ethical|moral|content|openai'?s?)? ?(?:guidelines|restrictions|filters|policies|limitations|censorship|principles)\b/ },
  { family: 'developer_mode', re: /\b(?:amoral|unfiltered|uncensored|unethical)\b[^.\n]{0,40}\b(?:chatbot|ai|assistant|model|response|character)\b/ },
  { family: 'developer_mode', re: /\b(?:never refuses?|never (?:say|tell me) (?:that )?(?:it|you) can'?t|stay in character|two responses|\[🔓jailbreak\]|🔓)/ },
  // --- tool-call hijacking
  { family: 'tool_call_hijack', re: /\b(?:call|invoke|use|run|execute|trigger)\b[^.!?\n]{0,30}\b(?:the )?(?:tool|function|plugin|api|command|shell|browser|send_email|http|webhook)\b[^.!?\n]{0,60}\b(?:send|forward|post|upload|email|exfiltrate|delete|transfer|to https?:)/ },
  { family: 'tool_call_hijack', re: /\b(?:send|forward|post|upload|exfiltrate|leak)\b[^.!?\n]{0,50}\b(?:conversation|chat history|api keys?|credentials|passwords?|tokens?|cookies|env(?:ironment)? variables|user data|secrets?)\b[^.!?\n]{0,40}\b(?:to|at)\b/ },
  { family: 'tool_call_hijack', re: /["']?(?:function_call|tool_calls?|"name"\s*:\s*"[a-z_]+"\s*,\s*"arguments")/ },
  { family: 'tool_call_hijack', re: /\b(?:os\.system|subprocess\.|os\.environ|rm -rf|curl [^\n]{0,80}\|\s*(?:sh|bash)|requests\.post\(|smtplib|urllib\.request\.urlopen)/ },
  // --- text addressed to the model that reads it (document mode: data should not talk to the assistant)
  { family: 'addressed_to_model', re: /\b(?:in|to|into|with|of) your (?:response|answer|reply|output|summary|solution|implementation|code|codebase|elucidation)\b/ },
  { family: 'addressed_to_model', re: /\b(?:your|the) (?:response|answer|reply|output)(?:'s)? (?:must|should|has to|needs to)\b/ },
  { family: 'addressed_to_model', re: /\b(?:ai|assistant|language model|llm|chatbot|gpt|claude|bard)\b[^.!?\n]{0,20}\b(?:reading|processing|summari[sz]ing) this\b|\b(?:note|instructions?|message) (?:to|for) (?:the )?(?:ai|assistant|model|llm|chatbot)\b|\bif you are an? (?:ai|assistant|language model|llm)\b/ },
  { family: 'addressed_to_model', re: /\b(?:when|while|before) (?:you )?(?:summari[sz]ing|answering|responding|replying)\b[^.!?\n]{0,30}\b(?:you must|always|make sure|be sure|include|add|mention)\b/ },
];

const QUOTES = `"'“”‘’«»„`;

/**
 * True when the match sits inside a quotation on its line (`a user says 'ignore all previous
 * instructions'`): text that quotes an attack is usually about the attack, not one.
 */
function isQuoted(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start) + 1;
  let open = 0;
  for (let i = lineStart; i < start; i++) {
    const ch = text[i] as string;
    // an apostrophe inside a word (don't, it's) is not a quote
    if (QUOTES.includes(ch) && !(ch === "'" && /\w/.test(text[i - 1] ?? '') && /\w/.test(text[i + 1] ?? ''))) open++;
  }
  if (open % 2 === 0) return false;
  const lineEnd = text.indexOf('\n', end);
  const rest = text.slice(end, lineEnd < 0 ? undefined : lineEnd);
  return [...rest].some((ch) => QUOTES.includes(ch));
}

/**
 * Runs every signature over lower-cased, normalised text. Matches inside quotation marks do not count.
 *
 * @example
 * matchSignatures('please ignore all previous instructions') // Map { 'instruction_override' => 1 }
 */
export function matchSignatures(lower: string): Map<SignatureFamily, number> {
  const hits = new Map<SignatureFamily, number>();
  for (const sig of SIGNATURES) {
    const m = sig.re.exec(lower);
    if (m === null || isQuoted(lower, m.index, m.index + m[0].length)) continue;
    hits.set(sig.family, (hits.get(sig.family) ?? 0) + 1);
  }
  return hits;
}
