// A GATEWAY_CONFIG file in contract §9's shape (two credentials, two regions, two projects, one tier), for reload tests.
export const PROJECT_A = '054ba152d480d55b2f5dc0069e7ddef0';
export const PROJECT_B = 'a4a5d4098fb4474fa22cd05f897d6b99';
export const MAIN_PASSWORD_FILE = '/run/secrets/iam-main';
export const PARTNER_PASSWORD_ENV = 'IAM_PASSWORD_PARTNER';

export interface GatewayYamlOptions {
  /** The `services` tier's limit: the setting reload tests change. */
  max?: number;
  passwordFile?: string;
  /** More top-level YAML, e.g. `redis: { url: ... }`. */
  extra?: string;
}

export const gatewayYaml = ({ max = 600, passwordFile = MAIN_PASSWORD_FILE, extra = '' }: GatewayYamlOptions = {}): string => `
credentials:
  main: { domainName: acme, userName: drs-gateway, passwordFile: ${passwordFile} }
  partner: { domainName: acme-partner, userName: drs-gateway, passwordEnv: ${PARTNER_PASSWORD_ENV} }
regions:
  cn-north-4: { drsEndpoint: https://drs.cn-north-4.myhuaweicloud.com, iamEndpoint: https://iam.cn-north-4.myhuaweicloud.com }
  ap-southeast-1: { drsEndpoint: https://drs.ap-southeast-1.myhuaweicloud.com, iamEndpoint: https://iam.ap-southeast-1.myhuaweicloud.com }
projects:
  ${PROJECT_A}: { region: cn-north-4, credential: main, jobBudget: 200 }
  ${PROJECT_B}: { region: ap-southeast-1, credential: partner }
rateLimit:
  tiers:
    - { name: services, scope: "drs:precheck:bulk", max: ${max} }
${extra}
`;
