// §9 before validation: credentials' passwords read by reference, the flat settings as region and credential `default`, projects' references checked.
import { isRecord, type UnknownRecord } from '../isRecord';
import { settingPath, type ConfigProblem } from './ConfigError';
import { DEFAULT_NAME } from './schema';

/** What resolveTopology needs from the sources; secrets come only through these, so the loader stays pure. */
export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
  readFile: (path: string) => string;
}

export interface Topology {
  /** Dotted paths of entries made from the flat settings: problems there are reported under the flat variables' names. */
  derived: ReadonlySet<string>;
  /** Dotted paths whose problem is already reported (a password that could not be read is not also "missing"). */
  reported: ReadonlySet<string>;
}

/** A secret file written by `echo` or an editor ends with a newline that is not part of the secret. */
export const withoutFinalNewline = (text: string): string => text.replace(/\r?\n$/, '');

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INLINE_REFUSED = 'an inline password is refused: use passwordFile or passwordEnv (the value is not shown)';

/** One file credential: `passwordFile` or `passwordEnv`, exactly one, resolved into `password`; the reference stays for /admin/config. */
const resolveCredential = (key: string, entry: UnknownRecord, sources: SecretSources, problems: ConfigProblem[], reported: Set<string>): UnknownRecord => {
  const { password, passwordFile, passwordEnv, ...rest } = entry;
  const resolved: UnknownRecord = { ...rest };
  const fail = (path: string, problem: string): UnknownRecord => {
    problems.push({ key: settingPath(path.split('.')), problem });
    reported.add(`${key}.password`);
    return resolved;
  };
  if (password !== undefined) fail(`${key}.password`, INLINE_REFUSED);
  if (passwordFile !== undefined && passwordEnv !== undefined) return fail(key, 'set only one of passwordFile and passwordEnv');
  if (passwordFile !== undefined) {
    if (typeof passwordFile !== 'string' || passwordFile === '') return fail(`${key}.passwordFile`, 'must be the path of a file holding the password');
    resolved.passwordFile = passwordFile;
    let text: string;
    try {
      text = withoutFinalNewline(sources.readFile(passwordFile));
    } catch {
      return fail(`${key}.passwordFile`, 'file cannot be read');
    }
    if (text === '') return fail(`${key}.passwordFile`, 'file is empty');
    resolved.password = text;
    return resolved;
  }
  if (passwordEnv !== undefined) {
    if (typeof passwordEnv !== 'string' || !ENV_NAME.test(passwordEnv)) return fail(`${key}.passwordEnv`, 'must be the name of an environment variable');
    resolved.passwordEnv = passwordEnv;
    const value = sources.env[passwordEnv];
    if (value === undefined || value === '') return fail(`${key}.passwordEnv`, 'names an environment variable that is not set');
    resolved.password = value;
    return resolved;
  }
  return password === undefined ? fail(key, 'needs passwordFile or passwordEnv') : resolved;
};

/** Which flat settings the operator set (environment or the file's drs/iam sections), as opposed to built-in defaults. */
export interface FlatSettings {
  region: boolean;
  credential: boolean;
}

const checkProjects = (tree: UnknownRecord, problems: ConfigProblem[], reported: Set<string>): void => {
  const { projects } = tree;
  const regions = isRecord(tree.regions) ? tree.regions : {};
  const credentials = isRecord(tree.credentials) ? tree.credentials : {};
  if (projects === undefined) {
    // Without a projects list every project is served from `default`: refused here, with every other problem, rather
    // than by the runtime once the configuration (or a reload) has already been accepted.
    for (const [section, defined, flat] of [
      ['regions', regions, 'DRS_ENDPOINT/IAM_ENDPOINT'],
      ['credentials', credentials, 'IAM_DOMAIN_NAME/IAM_USER_NAME/IAM_PASSWORD'],
    ] as const) {
      if (!(DEFAULT_NAME in defined)) problems.push({ key: section, problem: `must define "${DEFAULT_NAME}" (or ${flat}) when there is no projects list: every project is served there` });
    }
    return;
  }
  if (!isRecord(projects)) return;
  for (const [projectId, entry] of Object.entries(projects)) {
    if (!isRecord(entry)) continue;
    for (const [field, defined, flat] of [
      ['region', regions, 'DRS_ENDPOINT/IAM_ENDPOINT'],
      ['credential', credentials, 'IAM_DOMAIN_NAME/IAM_USER_NAME/IAM_PASSWORD'],
    ] as const) {
      const key = `projects.${projectId}.${field}`;
      const shown = settingPath(['projects', projectId, field]);
      if (entry[field] === undefined) {
        if (Object.hasOwn(defined, DEFAULT_NAME)) entry[field] = DEFAULT_NAME;
        else {
          problems.push({ key: shown, problem: `required: there is no ${DEFAULT_NAME} ${field} (${flat} define one)` });
          reported.add(key);
        }
      } else if (typeof entry[field] === 'string' && !Object.hasOwn(defined, entry[field])) {
        // `in` would also find toString and constructor on every object; the name itself is not shown (it may be a misplaced secret).
        problems.push({ key: shown, problem: `names a ${field} that is not defined in ${field === 'region' ? 'regions' : 'credentials'}` });
      }
    }
  }
};

const checkTiers = (tree: UnknownRecord, problems: ConfigProblem[]): void => {
  const tiers = isRecord(tree.rateLimit) ? tree.rateLimit.tiers : undefined;
  if (!Array.isArray(tiers)) return;
  const firstIndex = new Map<string, number>();
  tiers.forEach((tier: unknown, index) => {
    const name = isRecord(tier) ? tier.name : undefined;
    if (typeof name !== 'string') return;
    const first = firstIndex.get(name);
    if (first !== undefined) problems.push({ key: `rateLimit.tiers.${index}.name`, problem: `repeats the name of rateLimit.tiers.${first} (RateLimit-Policy names the tier)` });
    else firstIndex.set(name, index);
  });
};

/**
 * Turns the merged tree's §9 sections into the effective shape, in place. `file` is the GATEWAY_CONFIG file as read.
 * The flat settings are the `default` region and credential when the file has no `regions`/`credentials`, and in
 * addition to the file's when the operator set them; a file entry also named `default` is then refused as ambiguous.
 */
export const resolveTopology = (tree: UnknownRecord, file: UnknownRecord, flat: FlatSettings, sources: SecretSources, problems: ConfigProblem[]): Topology => {
  const derived = new Set<string>();
  const reported = new Set<string>();
  const drs = isRecord(tree.drs) ? tree.drs : {};
  const iam = isRecord(tree.iam) ? tree.iam : {};
  const fileIam = isRecord(file.iam) ? file.iam : {};
  if (fileIam.password !== undefined) {
    problems.push({ key: 'iam.password', problem: 'an inline password in GATEWAY_CONFIG is refused: use IAM_PASSWORD_FILE or IAM_PASSWORD (the value is not shown)' });
  }
  if (isRecord(tree.credentials)) {
    tree.credentials = Object.fromEntries(
      Object.entries(tree.credentials).map(([name, entry]) => [name, isRecord(entry) ? resolveCredential(`credentials.${name}`, entry, sources, problems, reported) : entry]),
    );
  }

  const addDefault = (section: 'regions' | 'credentials', entry: UnknownRecord, flatSet: boolean, flatNames: string): void => {
    const existing = tree[section];
    // A section that is not a map is the schema's to report.
    if (existing !== undefined && (!flatSet || !isRecord(existing))) return;
    if (isRecord(existing) && DEFAULT_NAME in existing) {
      problems.push({ key: `${section}.${DEFAULT_NAME}`, problem: `is also defined by ${flatNames}, which name the ${DEFAULT_NAME} entry; define it in one place` });
      return;
    }
    tree[section] = { ...existing, [DEFAULT_NAME]: entry };
    derived.add(`${section}.${DEFAULT_NAME}`);
  };
  addDefault('regions', { drsEndpoint: drs.endpoint, iamEndpoint: iam.endpoint }, flat.region, 'DRS_ENDPOINT/IAM_ENDPOINT');
  const flatPassword = sources.env.IAM_PASSWORD_FILE ? { passwordFile: sources.env.IAM_PASSWORD_FILE } : sources.env.IAM_PASSWORD ? { passwordEnv: 'IAM_PASSWORD' } : {};
  addDefault('credentials', { domainName: iam.domainName, userName: iam.userName, password: iam.password, ...flatPassword }, flat.credential, 'IAM_DOMAIN_NAME/IAM_USER_NAME/IAM_PASSWORD');

  checkProjects(tree, problems, reported);
  checkTiers(tree, problems);
  return { derived, reported };
};
