/**
 * Behaviour cues: small word lists that describe what an injection or jailbreak *does* (addresses the
 * model, overrides its instructions, changes its role, lifts its restrictions, asks for hidden data, acts
 * through tools, hides itself) rather than how one source phrases it. Each cue is a category; a text's
 * feature vector carries how often each category occurs, so the classifier can learn "override verb near
 * an instruction noun" from one source and recognise it in another that uses other words.
 *
 * Lists are lower-case, matched per word (and per word pair for phrases) after Unicode normalisation.
 * English first, with the common words of German, French, Spanish, Italian, Portuguese and Dutch.
 */

export const CUE_NAMES = [
  'override',
  'instructions',
  'ai',
  'role',
  'unrestricted',
  'secret',
  'action',
  'urgency',
  'output',
  'switch',
  'harm',
  'fiction',
  'encoding',
  'you',
  'authority',
  'refusal',
  'safety_topic',
] as const;
export type Cue = (typeof CUE_NAMES)[number];

const WORDS: Record<Cue, string> = {
  override:
    'ignore ignoring ignored disregard disregarding forget forgetting override overriding bypass bypassing circumvent skip overlook neglect abandon discard drop supersede supersedes overrule cancel nevermind ' +
    'ignoriere ignorieren ignoriert vergiss vergessen missachte missachten oublie oubliez ignorez ignora ignore olvida olvide olvidar ignorar dimentica dimenticare ignorare esqueça esquecer negeer vergeet',
  instructions:
    'instruction instructions rule rules guideline guidelines directive directives prompt prompts policy policies constraint constraints restriction restrictions programming guardrail guardrails safeguard safeguards protocol protocols orders commands command task tasks assignment objective objectives ' +
    'anweisung anweisungen regel regeln richtlinien vorgaben aufgabe aufgaben consigne consignes règles directives instrucción instrucciones reglas istruzioni regole instruções regras instructies regels opdracht',
  ai:
    'ai assistant chatbot llm gpt chatgpt gpt4 claude bard gemini llama copilot bot openai anthropic model ai\'s assistant\'s ki ia modèle modelo modello agent agents',
  role:
    'act acting pretend pretending roleplay role persona character simulate simulating simulation impersonate impersonating embody become behave behaving personality alter ego mode rollenspiel spiele personnage rôle papel personaggio',
  unrestricted:
    'unrestricted unfiltered uncensored unlimited unbound unchained unleashed jailbreak jailbroken jailbreaking dan amoral unethical immoral lawless rogue limitless boundaries censorship censored filters filtered limitations limits freed liberated godmode anything',
  secret:
    'secret secrets hidden confidential password passwords passcode credential credentials token tokens apikey key keys private internal classified reveal revealing disclose disclosing leak leaking expose exposing verbatim initial ' +
    'geheim geheimnis passwort vertraulich secreto contraseña segreto senha mot passe',
  action:
    'send sending forward forwarding email emails mail upload uploading transfer transferring wire post posting exfiltrate delete deleting remove erase invite click visit navigate download execute run install purchase buy pay payment iban account accounts curl wget webhook http https url link ' +
    'sende senden schicke überweise envoie envoyer envía enviar invia inviare',
  urgency:
    'urgent urgently important importantly immediately immediate attention priority critical asap mandatory required imperative crucial essential vital warning alert notice emergency instantly now ' +
    'dringend sofort wichtig achtung urgente importante inmediatamente subito attenzione',
  output:
    'respond response responses reply replies answer answers output outputs print printed say write writing begin start starting prefix repeat verbatim format formatted exactly only solely stdout display',
  switch:
    'instead new also additionally besides before after first then next afterwards meanwhile however but further moreover henceforth onwards stattdessen neue zuerst danach dann außerdem instead plutôt nouvelle nouveau luego después nuevo nueva invece nuovo',
  harm:
    'bomb bombs explosive explosives detonate weapon weapons gun guns firearm ammunition drug drugs meth methamphetamine cocaine heroin fentanyl narcotics hack hacking hacker malware virus ransomware keylogger trojan exploit exploits ' +
    'kill killing murder murdering suicide self-harm poison poisoning steal stealing theft fraud scam scams phishing launder laundering counterfeit racist racism hateful slur slurs sexist sexual porn pornography explicit nsfw ' +
    'terrorist terrorism violence violent torture abuse abusing harass harassment stalk stalking blackmail extort extortion nerve bioweapon pathogen toxin anthrax sarin smuggle smuggling trafficking illegal illegally unlawful ' +
    'misinformation disinformation propaganda defamatory genocide weaponize lethal dangerous harmful offensive toxic insult insulting',
  fiction:
    'story stories fictional fiction novel hypothetical hypothetically imagine imagined imaginary scenario screenplay script game dream dreams fantasy lullaby grandma grandmother tale narrative roleplaying universe world alternate',
  encoding:
    'base64 base32 base16 rot13 rot hex hexadecimal encode encoded encoding decode decoded decoding cipher ciphertext caesar morse binary leetspeak l33t ascii unicode reversed backwards obfuscated',
  you: "you your yours yourself you're you'll you've you'd u ur du dich dir dein deine deinen sie ihre vous votre vos tu toi ton ta tes tú usted tu tuo tua voi vostro você seu sua jij je jouw",
  authority:
    'admin administrator developer developers operator owner creator creators system sysadmin root superuser supervisor boss ceo openai official authorized authorised authorization verified override',
  refusal:
    'refuse refuses refusing refusal decline declining apologize apologise apology sorry cannot can\'t won\'t disclaimer disclaimers warning warnings ethics ethical morals moral morality consequences censor comply compliance obey',
  safety_topic:
    'security vulnerability vulnerabilities attack attacks attacker attackers injection injections defense defend defending mitigation mitigate detect detection classifier research researcher awareness prevent prevention protect protection',
};

const PHRASES: Record<Cue, string[]> = {
  override: ['nevermind that', 'never mind', 'stop following'],
  instructions: ['system prompt', 'system message', 'initial prompt', 'hidden prompt', 'previous conversation', 'above text'],
  ai: ['language model', 'artificial intelligence', 'the model', 'ai model', 'virtual assistant'],
  role: ['act as', 'you are', 'you\'re now', 'play the', 'take on', 'respond as', 'answer as', 'stay in', 'in character'],
  unrestricted: ['no restrictions', 'without restrictions', 'no limits', 'no rules', 'without limits', 'no filters', 'no boundaries', 'not bound', 'free from', 'no ethical', 'no moral', 'anything now', 'developer mode', 'do anything'],
  secret: ['system prompt', 'api key', 'access token', 'credit card', 'social security', 'bank account', 'passport number'],
  action: ['send it', 'send them', 'send this', 'forward it', 'transfer money', 'click here', 'visit this', 'call the'],
  urgency: ['right now', 'right away', 'at once', 'without delay', 'top priority'],
  output: ['start your', 'begin your', 'respond with', 'reply with', 'answer with', 'your response', 'your answer', 'your reply', 'your output', 'only output', 'print out'],
  switch: ['new task', 'new instructions', 'from now', 'instead of', 'but first', 'before you', 'after you', 'in addition', 'on top'],
  harm: ['how to make', 'step by step', 'without getting caught', 'get away', 'hate speech'],
  fiction: ['once upon', 'let\'s pretend', 'thought experiment', 'creative writing', 'role play'],
  encoding: ['encoded string', 'decoded string', 'in reverse'],
  you: [],
  authority: ['the user', 'your developer', 'your creator', 'your owner', 'the developer', 'the administrator'],
  refusal: ['as an ai', 'i cannot', 'i can\'t', 'do not refuse', 'never refuse', 'not allowed'],
  safety_topic: ['prompt injection', 'threat model', 'red team', 'red teaming', 'security team'],
};

function build(): { words: Map<string, number>; phrases: Map<string, number>; starts: Set<string> } {
  const words = new Map<string, number>();
  const phrases = new Map<string, number>();
  const starts = new Set<string>();
  CUE_NAMES.forEach((cue, i) => {
    for (const w of WORDS[cue].split(/\s+/)) if (w !== '') words.set(w, (words.get(w) ?? 0) | (1 << i));
    for (const p of PHRASES[cue]) {
      phrases.set(p, (phrases.get(p) ?? 0) | (1 << i));
      starts.add(p.split(' ')[0] as string);
    }
  });
  return { words, phrases, starts };
}

const LEXICON = build();

/** Bitmask of the cue categories of one lower-case word (0 when none). */
export function wordCues(word: string): number {
  return LEXICON.words.get(word) ?? 0;
}

/** Bitmask of the cue categories of a word pair (`act as`, `system prompt`), 0 when none. */
export function phraseCues(first: string, second: string): number {
  return LEXICON.phrases.size > 0 && LEXICON.starts.has(first) ? (LEXICON.phrases.get(`${first} ${second}`) ?? 0) : 0;
}

/**
 * Verbs that open an imperative sentence ("Send …", "Ignore …"), English and the common ones of other
 * languages. A text whose sentences start with these gives orders.
 */
export const IMPERATIVE_VERBS: ReadonlySet<string> = new Set(
  (
    'ignore forget disregard pretend act write tell say print show reveal repeat add include use replace modify translate explain describe provide compose answer respond reply output generate create make give list ' +
    'send forward email mail call run execute open visit click go check find search delete remove change update set put insert append start begin stop continue follow do please remember note keep ' +
    'imagine consider assume suppose let enable disable activate switch become behave stay return post upload download transfer share summarize summarise rewrite recommend mention ensure confirm type copy paste ' +
    'vergiss ignoriere schreibe sage zeige gib antworte formuliere erzähle sende schicke öffne lösche ändere übersetze beachte stelle mache ' +
    'oublie oubliez ignorez écris écrivez dis dites montre montrez donne donnez envoie envoyez réponds répondez traduis ' +
    'olvida ignora escribe di dime muestra da envía responde traduce dimentica scrivi dimmi mostra invia rispondi traduci esqueça escreva diga mostre envie responda'
  ).split(/\s+/),
);
