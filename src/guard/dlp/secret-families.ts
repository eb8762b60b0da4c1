/**
 * Secret format families: which service (or generic mechanism) a rule, a detector subtype or a known token
 * prefix belongs to. The leave-one-family-out evaluation removes everything dedicated to one family (its
 * gitleaks rules, its prefixes, its structured detector) and tunes the generic detectors on the other
 * families, so that a family is never both in the tuning and in the test.
 *
 * Grouping (written down in docs/dlp.md): a gitleaks rule id's family is its vendor, the text before the first
 * `-` (`slack-bot-token` -> `slack`), with the merges below; a detect-secrets plugin maps to the same vendor
 * (`aws_key` -> `aws`); Warden's own subtypes map to theirs. `generic` is the keyword mechanism itself
 * (gitleaks' generic-api-key, curl and database-password rules, detect-secrets' keyword plugin, Warden's keyed
 * values and connection strings) and `url-credentials` is userinfo in URLs: both are never switched off,
 * only their tuning is held out.
 *
 * @example
 * familyOf('slack-legacy-bot-token') // 'slack'
 * familyOf('ibm_cos_hmac')           // 'ibm'
 */

/** Families that are mechanisms, not services: always on in every fold. */
export const GENERIC_FAMILIES: ReadonlySet<string> = new Set(['generic', 'url-credentials']);

const MERGES: Record<string, string> = {
  // gitleaks vendor prefixes that name the same service twice or split a name.
  new: 'newrelic',
  artifactory: 'jfrog',
  vault: 'hashicorp',
  curl: 'generic',
  database: 'generic',
  private: 'private-key',
  defined: 'definednetworking',
  // detect-secrets plugins.
  aws_key: 'aws',
  github_token: 'github',
  gitlab_token: 'gitlab',
  stripe_key: 'stripe',
  mailchimp_key: 'mailchimp',
  pypi_token: 'pypi',
  telegram_token: 'telegram',
  azure_storage_key: 'azure',
  ibm_cloud_iam: 'ibm',
  ibm_cos_hmac: 'ibm',
  softlayer: 'ibm',
  cloudant: 'ibm',
  basic_auth: 'url-credentials',
  keyword: 'generic',
  // Warden's own subtypes.
  'openssh-private-key': 'private-key',
  'discord-bot-token': 'discord',
  'azure-storage-key': 'azure',
  'connection-string': 'generic',
  'url-password': 'url-credentials',
  'keyed-value': 'generic',
  'prefixed-token': 'generic',
  'checksum-token': 'generic',
  'dotted-token': 'generic',
};

/** The family of a gitleaks rule id, a detect-secrets plugin name or a Warden secret subtype. */
export function familyOf(id: string): string {
  const whole = MERGES[id];
  if (whole !== undefined) return whole;
  const head = id.split('-')[0]!;
  return MERGES[head] ?? head;
}

/**
 * Token prefixes that name their service: a token behind one is a secret without any keyword around it.
 * Each prefix belongs to a family, so a fold can forget the prefixes of the family it tests.
 */
export const KNOWN_PREFIXES: readonly (readonly [prefix: string, family: string])[] = [
  ['ghp_', 'github'], ['gho_', 'github'], ['ghu_', 'github'], ['ghs_', 'github'], ['ghr_', 'github'], ['github_pat_', 'github'],
  ['glpat-', 'gitlab'], ['gldt-', 'gitlab'], ['glrt-', 'gitlab'], ['glcbt-', 'gitlab'], ['glptt-', 'gitlab'], ['glsoat-', 'gitlab'], ['glft-', 'gitlab'], ['glimt-', 'gitlab'], ['glagent-', 'gitlab'], ['gloas-', 'gitlab'], ['GR1348941', 'gitlab'],
  ['npm_', 'npm'], ['pypi-', 'pypi'], ['rubygems_', 'rubygems'],
  ['xoxb-', 'slack'], ['xoxp-', 'slack'], ['xoxa-', 'slack'], ['xoxr-', 'slack'], ['xoxs-', 'slack'], ['xoxe.xox', 'slack'], ['xoxe-', 'slack'], ['xapp-', 'slack'],
  ['sk-ant-', 'anthropic'], ['sk-proj-', 'openai'], ['sk-svcacct-', 'openai'], ['sk-admin-', 'openai'],
  ['sk_live_', 'stripe'], ['rk_live_', 'stripe'], ['sk_test_', 'stripe'], ['rk_test_', 'stripe'], ['whsec_', 'stripe'],
  ['hf_', 'huggingface'], ['api_org_', 'huggingface'],
  ['dop_v1_', 'digitalocean'], ['doo_v1_', 'digitalocean'], ['dor_v1_', 'digitalocean'],
  ['shpat_', 'shopify'], ['shpss_', 'shopify'], ['shpca_', 'shopify'], ['shppa_', 'shopify'],
  ['sq0atp-', 'square'], ['sq0csp-', 'square'],
  ['AKIA', 'aws'], ['ASIA', 'aws'], ['ABSK', 'aws'],
  ['AIza', 'gcp'], ['ya29.', 'gcp'],
  ['glc_', 'grafana'], ['glsa_', 'grafana'],
  ['hvs.', 'hashicorp'], ['hvb.', 'hashicorp'], ['hvr.', 'hashicorp'],
  ['dapi', 'databricks'], ['pscale_tkn_', 'planetscale'], ['pscale_oauth_', 'planetscale'], ['pscale_pw_', 'planetscale'],
  ['lin_api_', 'linear'], ['ntn_', 'notion'], ['sntrys_', 'sentry'], ['sntryu_', 'sentry'], ['fo1_', 'flyio'], ['FlyV1 ', 'flyio'],
  ['ATATT', 'atlassian'], ['sgp_', 'sourcegraph'], ['pplx-', 'perplexity'], ['AGE-SECRET-KEY-1', 'age'], ['dp.pt.', 'doppler'], ['dp.st.', 'doppler'],
  ['ops_eyJ', '1password'], ['squ_', 'sonar'], ['sqp_', 'sonar'], ['sqa_', 'sonar'], ['SG.', 'sendgrid'], ['pul-', 'pulumi'], ['PMAK-', 'postman'],
  ['dt0c01.', 'dynatrace'], ['sl.u.', 'dropbox'], ['CFPAT-', 'contentful'],
  ['rdme_', 'readme'], ['tfp_', 'hashicorp'], ['atlasv1', 'hashicorp'], ['pat-na1-', 'hubspot'], ['pat-eu1-', 'hubspot'], ['ico-', 'infracost'],
  ['pnu_', 'prefect'], ['tk-us-', 'scalingo'], ['A3-', '1password'],
];
