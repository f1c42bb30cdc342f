// Configuration files the fuzzer (test/fuzz/loadConfig.test.ts) found mishandled: prototype keys, mangled keys, references that echo.
import { loadConfig } from '../../src/config/loadConfig';
import { configErrorOf, sources } from '../support/configSources';
import { PROJECT_A } from '../support/gatewayYaml';

const withFile = (yaml: string, env: Record<string, string> = {}) =>
  sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: '/etc/gateway.yaml', IAM_PASSWORD_MAIN: 'main-pa55word', ...env }, { '/etc/gateway.yaml': yaml });

const SERVED = (project: string) => `
regions:
  cn-north-4: { drsEndpoint: https://drs.example.com, iamEndpoint: https://iam.example.com }
credentials:
  main: { domainName: acme, userName: gw, passwordEnv: IAM_PASSWORD_MAIN }
projects:
${project}
`;

describe('loadConfig and the keys a parser gives', () => {
  it('refuses a top-level __proto__ key by name, rather than applying the settings under it unseen', () => {
    const error = configErrorOf(withFile('__proto__:\n  auditLog: /tmp/elsewhere.log\n'));
    expect(error.problems).toContainEqual({ key: '__proto__', problem: 'is not a known setting (GATEWAY_CONFIG)' });
  });

  it('refuses __proto__ inside a section and as a region name, which a merge or a record would otherwise drop silently', () => {
    const error = configErrorOf(withFile('server:\n  __proto__: { port: 99 }\nregions:\n  __proto__: { drsEndpoint: https://drs.example.com }\n  default: {}\n'));
    expect(error.problems.map((p) => p.key)).toEqual(expect.arrayContaining(['server.__proto__', 'regions.__proto__']));
  });

  it('refuses a project whose region or credential is a property every object has (toString, constructor)', () => {
    const error = configErrorOf(withFile(SERVED(`  ${PROJECT_A}: { region: toString, credential: constructor }`)));
    expect(error.problems).toEqual([
      { key: `projects.${PROJECT_A}.region`, problem: 'names a region that is not defined in regions' },
      { key: `projects.${PROJECT_A}.credential`, problem: 'names a credential that is not defined in credentials' },
    ]);
  });

  it('shows a mangled key only up to its first character no name has, so a value read into it stays hidden', () => {
    const error = configErrorOf(withFile('credentials:\n  main: { domainName: acme, userName: gw, passwordEnv: IAM_PASSWORD_MAIN, password hunter2-secret }\nregions: { default: {} }\n'));
    expect(error.problems).toContainEqual({ key: 'credentials.main.password…', problem: 'is not a known setting (GATEWAY_CONFIG)' });
    expect(error.message).not.toContain('hunter2');
  });

  it('never shows a password pasted where a variable name belongs', () => {
    const error = configErrorOf(withFile(SERVED(`  ${PROJECT_A}: { region: cn-north-4, credential: main }`).replace('passwordEnv: IAM_PASSWORD_MAIN', 'passwordEnv: Hunter2Secret')));
    expect(error.problems).toEqual([{ key: 'credentials.main.passwordEnv', problem: 'names an environment variable that is not set' }]);
    expect(error.message).not.toContain('Hunter2Secret');
  });

  it('still loads the same file with its references right', () => {
    expect(loadConfig(withFile(SERVED(`  ${PROJECT_A}: { region: cn-north-4, credential: main }`))).config.projects).toEqual({
      [PROJECT_A]: { region: 'cn-north-4', credential: 'main' },
    });
  });
});
